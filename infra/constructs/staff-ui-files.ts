import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import type { IDistribution } from 'aws-cdk-lib/aws-cloudfront';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { StaffUiConfig } from '../staff-ui.ts';

export interface StaffUiFilesProps {
  projectRoot: string;
  bucket: IBucket;
  distribution: IDistribution;
  config: StaffUiConfig;
}

/** Files whose names never change, so a browser must always ask for them afresh. */
const entryFiles = ['index.html', 'config.json'];

/**
 * The staff UI's files in its bucket: `npm run build:web` runs at synth as the asset's
 * bundling step (skipped, like the functions' esbuild, when a test skips bundling), so a
 * deploy always ships the UI of the code being deployed.
 *
 * Two uploads, because they are cached differently: the hashed assets for a year, then
 * index.html and config.json with no-cache, after the assets they name are in place.
 * Neither prunes: a tab opened before a deploy can still load the chunks it knows.
 */
export class StaffUiFiles extends Construct {
  constructor(scope: Construct, id: string, props: StaffUiFilesProps) {
    super(scope, id);
    const built = Source.asset(join(props.projectRoot, 'web', 'src'), {
      // The build also reads shared/ (the preview renders like publication), so the
      // asset is identified by what the build makes, not by web/src alone.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never pulled: the local build below always runs (it needs only Node and npm ci).
        image: DockerImage.fromRegistry('node:24-slim'),
        local: {
          tryBundle(outputDir) {
            const result = spawnSync(
              'npx',
              ['--no-install', 'tsx', 'web/build.ts', '--outdir', outputDir],
              { cwd: props.projectRoot, stdio: ['ignore', 'inherit', 'inherit'] },
            );
            if (result.status !== 0)
              throw new Error(`npm run build:web failed (exit ${result.status}); see above`);
            return true;
          },
        },
      },
    });

    const assets = new BucketDeployment(this, 'Assets', {
      destinationBucket: props.bucket,
      sources: [built],
      exclude: entryFiles,
      prune: false,
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
    });
    const entry = new BucketDeployment(this, 'Entry', {
      destinationBucket: props.bucket,
      sources: [built, Source.jsonData('config.json', props.config)],
      exclude: ['*'],
      include: entryFiles,
      prune: false,
      cacheControl: [CacheControl.noCache()],
      distribution: props.distribution,
      distributionPaths: ['/', ...entryFiles.map((file) => `/${file}`)],
    });
    entry.node.addDependency(assets);
  }
}

import type { Stack } from 'aws-cdk-lib';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import {
  NOT_FOUND_PAGE,
  PUBLIC_CACHE_CONTROL,
  renderNotFoundPage,
  siteContentSecurityPolicy,
} from '../../shared/publication/render.ts';
import { type StaffUiConfig, staffUiContentSecurityPolicy } from '../staff-ui.ts';
import { StaffUiFiles } from './staff-ui-files.ts';
import { StaticSite } from './static-site.ts';

export interface SitesProps {
  projectRoot: string;
  officeName: string;
  /** The published record: notes, letters, the index and feed. */
  publicBucket: IBucket;
  /** The staff UI's built files. */
  staffUiBucket: IBucket;
  /** Where CloudFront writes its access logs. */
  logBucket: IBucket;
  /** The public site's own domain and its us-east-1 certificate; else cloudfront.net. */
  publicDomain?: { name: string; certificateArn: string };
  /** The origins the staff UI may call: the staff API and sign-in. */
  staffUiConnectsTo: string[];
}

/**
 * The two CloudFront sites, each a StaticSite. Defaults it sets:
 * - the public site: the public bucket, pages only (a Content-Security-Policy that allows
 *   scripts from the site itself only, for its search page, from
 *   shared/publication/render.ts), a folder's index.html for its path, the
 *   published 404.html for a missing page, and the custom domain when one is given;
 * - the not-found page put in the public bucket at deploy time, touching nothing else
 *   there: publication writes it with the rest, but CloudFront needs it before the first
 *   note goes out, or a missing page would show S3's XML error until then;
 * - the staff UI: its own bucket, as a single-page app, allowed to call `staffUiConnectsTo`
 *   and nothing else; its files and config.json deployed by `deployStaffUi`;
 * - access logs of each under `cloudfront/<site>/` in the log bucket.
 *
 * Its resources are the stack's own children (their logical IDs predate this class).
 */
export class Sites {
  readonly publicSite: StaticSite;
  readonly staffUi: StaticSite;

  constructor(
    private readonly scope: Stack,
    private readonly props: SitesProps,
  ) {
    this.publicSite = new StaticSite(scope, 'PublicSite', {
      comment: `${props.officeName}: published meeting notes`,
      bucket: props.publicBucket,
      logBucket: props.logBucket,
      logPrefix: 'cloudfront/public-site/',
      contentSecurityPolicy: siteContentSecurityPolicy,
      notFoundPage: NOT_FOUND_PAGE,
      domain: props.publicDomain,
    });
    new BucketDeployment(scope, 'PublicSiteNotFoundPage', {
      destinationBucket: props.publicBucket,
      sources: [
        Source.data(
          NOT_FOUND_PAGE,
          renderNotFoundPage({ officeName: props.officeName, baseUrl: this.publicSite.url }),
        ),
      ],
      // Everything else in the bucket is published notes: never touch it.
      prune: false,
      contentType: 'text/html; charset=utf-8',
      cacheControl: [CacheControl.fromString(PUBLIC_CACHE_CONTROL)],
    });

    this.staffUi = new StaticSite(scope, 'StaffUi', {
      comment: `${props.officeName}: postroom staff`,
      bucket: props.staffUiBucket,
      logBucket: props.logBucket,
      logPrefix: 'cloudfront/staff-ui/',
      singlePageApp: true,
      contentSecurityPolicy: staffUiContentSecurityPolicy(props.staffUiConnectsTo),
    });
  }

  /** The staff UI's files, and the config.json it reads at start-up. */
  deployStaffUi(config: StaffUiConfig): void {
    new StaffUiFiles(this.scope, 'StaffUiFiles', {
      projectRoot: this.props.projectRoot,
      bucket: this.props.staffUiBucket,
      distribution: this.staffUi.distribution,
      config,
    });
  }
}

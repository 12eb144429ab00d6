/**
 * `npm run build:web`: bundles the staff UI into web/dist with esbuild. Plain TypeScript
 * and one stylesheet; the note preview (publication's own Markdown renderer) is a chunk
 * loaded only by the note editor. File names carry a content hash, so index.html is the
 * only file a browser or CloudFront need ever fetch afresh.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { STAFF_UI_DIST } from '../infra/staff-ui.ts';
import { type PublishedMeeting, renderMeetingPage } from '../shared/publication/render.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const source = join(root, 'web', 'src');

export interface BuiltFile {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface WebBuild {
  outdir: string;
  files: BuiltFile[];
  /** What the first page load fetches: index.html, the app, its static imports, the styles. */
  initial: { bytes: number; gzipBytes: number };
  total: { bytes: number; gzipBytes: number };
}

/**
 * The public pages' own stylesheet, taken from the renderer's output so the preview
 * looks exactly like the site. The staff UI's policy forbids inline <style>, so the
 * preview links to this file instead.
 */
function publicationStylesheet(): string {
  const page = renderMeetingPage(
    // Nothing of this meeting is anyone's: its texts are taken as public as they are.
    {
      reference: 'REQ-0000-0000',
      title: 'x',
      start: '2026-01-01T00:00:00Z',
      end: '2026-01-01T01:00:00Z',
      location: '',
      organisations: [],
      attendees: [],
      purposeSummary: '',
      noteMarkdown: '',
      letterText: '',
      letterDate: '2026-01-01T00:00:00Z',
      attachments: [],
      publishedAt: '2026-01-01T00:00:00Z',
      corrections: [],
    } as unknown as PublishedMeeting,
    // Only the styles are kept, so any time zone will do.
    { officeName: 'x', baseUrl: '/', timeZone: 'UTC' },
  );
  const css = page.match(/<style>([\s\S]*?)<\/style>/)?.[1];
  if (!css) throw new Error('shared/publication/render.ts no longer puts its styles in <style>');
  return `${css.trim()}\n`;
}

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

/** Files an entry needs at once: itself and its static imports, recursively. */
function staticClosure(metafile: Metafile, entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  for (const imported of metafile.outputs[entry]?.imports ?? []) {
    if (imported.kind === 'import-statement' && !imported.external)
      staticClosure(metafile, imported.path, seen);
  }
  return seen;
}

export async function buildWeb(
  options: { outdir?: string; minify?: boolean; log?: (line: string) => void } = {},
): Promise<WebBuild> {
  const outdir = options.outdir ?? join(root, STAFF_UI_DIST);
  const log = options.log ?? (() => undefined);
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });

  log('bundling web assets…');
  const result = await build({
    absWorkingDir: root,
    entryPoints: { app: join(source, 'main.ts'), styles: join(source, 'styles.css') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome111', 'firefox111', 'safari16.4'],
    minify: options.minify ?? true,
    sourcemap: 'linked',
    entryNames: '[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    charset: 'utf8',
  });
  const outputs = Object.keys(result.metafile.outputs);
  const named = (entryPoint: string) => {
    const found = outputs.find(
      (output) => result.metafile.outputs[output]?.entryPoint === relative(root, entryPoint),
    );
    if (!found) throw new Error(`esbuild made nothing for ${entryPoint}`);
    return found;
  };
  const app = named(join(source, 'main.ts'));
  const styles = outputs.find(
    (output) => output.endsWith('.css') && basename(output).startsWith('styles-'),
  );
  if (!styles) throw new Error('esbuild made no stylesheet');

  log('writing the publication stylesheet and index.html…');
  const publicationCss = publicationStylesheet();
  const publicationFile = `publication-${hashOf(publicationCss)}.css`;
  await writeFile(join(outdir, publicationFile), publicationCss);
  const template = await readFile(join(source, 'index.html'), 'utf8');
  const url = (output: string) => relative(outdir, join(root, output)).split('\\').join('/');
  await writeFile(
    join(outdir, 'index.html'),
    template
      .replace('{{app}}', url(app))
      .replace('{{styles}}', url(styles))
      .replace('{{publication}}', publicationFile),
  );

  const shipped = [
    ...outputs.map((output) => join(root, output)),
    join(outdir, publicationFile),
    join(outdir, 'index.html'),
  ].filter((file) => !file.endsWith('.map') && !file.endsWith('.LEGAL.txt'));
  const files: BuiltFile[] = [];
  for (const file of shipped) {
    const bytes = await readFile(file);
    files.push({
      file: relative(outdir, file).split('\\').join('/'),
      bytes: (await stat(file)).size,
      gzipBytes: gzipSync(bytes, { level: 9 }).length,
    });
  }
  files.sort((a, b) => a.file.localeCompare(b.file));
  const firstLoad = new Set(
    [...staticClosure(result.metafile, app), styles].map((output) => url(output)),
  );
  firstLoad.add('index.html');
  const sum = (list: BuiltFile[]) => ({
    bytes: list.reduce((total, file) => total + file.bytes, 0),
    gzipBytes: list.reduce((total, file) => total + file.gzipBytes, 0),
  });
  const built: WebBuild = {
    outdir,
    files,
    initial: sum(files.filter((file) => firstLoad.has(file.file))),
    total: sum(files),
  };
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  for (const file of files)
    log(
      `  ${file.file.padEnd(40)} ${kb(file.bytes).padStart(9)}  ${kb(file.gzipBytes).padStart(9)} gzip`,
    );
  log(
    `first load ${kb(built.initial.bytes)} (${kb(built.initial.gzipBytes)} gzip); everything ${kb(built.total.bytes)} (${kb(built.total.gzipBytes)} gzip), source maps not counted`,
  );
  return built;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = Date.now();
  // --outdir <dir>: where CDK's asset bundling wants it (infra/constructs/staff-ui-files.ts).
  const at = process.argv.indexOf('--outdir');
  const outdir = at > 0 ? process.argv[at + 1] : undefined;
  buildWeb({ outdir, log: (line) => console.log(line) })
    .then((built) =>
      console.log(
        `built the staff UI into ${relative(process.cwd(), built.outdir)} in ${Date.now() - started} ms`,
      ),
    )
    .catch((error: Error) => {
      console.error(`the staff UI did not build: ${error.message}`);
      process.exit(1);
    });
}

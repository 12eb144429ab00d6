import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createTransport } from 'nodemailer';
import { defaultPorts } from './cloud.ts';

/** `npm run ingest -- file.eml [more.eml]`: delivers raw messages to the local SMTP intake. */
const { values: flags, positionals: files } = parseArgs({
  allowPositionals: true,
  options: {
    port: { type: 'string', default: process.env.POSTROOM_SMTP_PORT ?? String(defaultPorts.smtp) },
    to: { type: 'string', default: process.env.OFFICE_ADDRESS ?? 'commissioner@office.example' },
  },
});

if (files.length === 0) {
  console.error(
    'usage: npm run ingest -- path/to/message.eml [more.eml ...] [--port 2525] [--to address]',
  );
  process.exit(2);
}

const transport = createTransport({
  host: '127.0.0.1',
  port: Number(flags.port),
  secure: false,
  ignoreTLS: true,
});

for (const file of files) {
  const raw = readFileSync(file);
  const head =
    raw
      .subarray(0, 64 * 1024)
      .toString('latin1')
      .split(/\r?\n\r?\n/)[0] ?? '';
  const returnPath = head.match(/^return-path:\s*<([^>]*)>/im)?.[1];
  const from = returnPath ?? head.match(/^from:.*?<?([^\s<>"]+@[^\s<>"]+)>?\s*$/im)?.[1] ?? '';
  try {
    const info = await transport.sendMail({ envelope: { from, to: [String(flags.to)] }, raw });
    console.log(`${file}: ${info.response}`);
  } catch (error) {
    const message = (error as Error).message;
    console.error(
      /ECONNREFUSED/.test(message)
        ? `${file}: nothing is listening on 127.0.0.1:${flags.port}; start postroom with "npm run dev" first`
        : `${file}: ${message}`,
    );
    process.exitCode = 1;
  }
}
transport.close();

/**
 * The staff UI as both clouds serve it: static files built into web/dist by
 * `npm run build:web`, a config.json saying where the API and sign-in are and which time
 * zone the office keeps, and one Content-Security-Policy (CloudFront sends it on AWS; the
 * local API server sends it too).
 */
export const STAFF_UI_DIST = 'web/dist';

/** Where the UI finds the API and how staff sign in. */
export type StaffUiConnection =
  | { mode: 'local'; apiUrl: string }
  | {
      mode: 'cognito';
      apiUrl: string;
      region: string;
      userPoolId: string;
      clientId: string;
      /** The hosted sign-in domain, https://<prefix>.auth.<region>.amazoncognito.com */
      signInUrl: string;
      redirectUri: string;
    };

/** What the UI reads at start-up. */
export type StaffUiConfig = StaffUiConnection & {
  /** OFFICE_TIMEZONE, the functions' own setting: the UI shows and reads times on its clock. */
  timeZone: string;
};

/** Scripts and styles only from the UI's own files; calls only to `connectTo`. */
export function staffUiContentSecurityPolicy(connectTo: readonly string[]): string {
  return [
    "default-src 'self'",
    `connect-src 'self' ${connectTo.join(' ')}`.trim(),
    "img-src 'self' data: blob:",
    "style-src 'self'",
    // Letters are shown in a sandboxed frame; attachments open from presigned S3 URLs.
    "frame-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

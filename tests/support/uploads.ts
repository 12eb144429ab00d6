import type { StaffClient } from '../../infra/local/staff-client.ts';

/**
 * Uploads a file as the staff UI does: asks POST /api/uploads for a URL, declaring the
 * file (its size may be declared wrongly, to see what a claim refuses), then PUTs the
 * bytes to that URL with the declared Content-Type. Throws unless both succeed.
 */
export async function uploadFile(
  api: StaffClient,
  as: string,
  bytes: Uint8Array,
  file: { filename: string; contentType: string },
  declaredSize = bytes.byteLength,
): Promise<{ uploadId: string; url: string }> {
  const asked = await api(as, 'POST', '/api/uploads', { ...file, size: declaredSize });
  if (asked.status !== 201)
    throw new Error(`POST /api/uploads: ${asked.status} ${JSON.stringify(asked.body)}`);
  const put = await fetch(asked.body.url, {
    method: 'PUT',
    headers: { 'content-type': file.contentType },
    body: bytes,
  });
  if (put.status !== 200)
    throw new Error(`PUT to the upload URL: ${put.status} ${await put.text()}`);
  return { uploadId: asked.body.uploadId, url: asked.body.url };
}

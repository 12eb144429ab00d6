import { ApiProblem, api, type FieldError } from './api.ts';
import { focusOn, h, hidden, replace, uid } from './dom.ts';
import { fileSize } from './format.ts';
import { button, type Field } from './forms.ts';

/**
 * Files chosen in a form (a reply's attachments, a letter's scans), each sent as soon as
 * it is chosen: POST /api/uploads says where, then the browser PUTs the bytes straight
 * to storage, so nothing large passes through the API. Each file shows its name, size,
 * progress and, when refused, the API's reason beside the file input; each can be
 * removed. The form names the uploads by id when it is sent.
 */
interface Upload {
  file: File;
  state: 'uploading' | 'uploaded' | 'failed';
  progress: number;
  uploadId?: string;
  error?: string;
  abort?: () => void;
}

/** PUTs the bytes with the declared type; XMLHttpRequest, since fetch reports no upload progress. */
function put(
  url: string,
  file: File,
  contentType: string,
  onProgress: (fraction: number) => void,
): { done: Promise<void>; abort: () => void } {
  const request = new XMLHttpRequest();
  const done = new Promise<void>((resolve, reject) => {
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener('load', () =>
      request.status >= 200 && request.status < 300
        ? resolve()
        : reject(
            new Error(`storage answered ${request.status}; remove the file and choose it again`),
          ),
    );
    request.addEventListener('error', () =>
      reject(new Error('it could not be sent; check your connection, then choose it again')),
    );
    request.addEventListener('abort', () => reject(new Error('removed')));
  });
  request.open('PUT', url);
  request.setRequestHeader('Content-Type', contentType);
  request.send(file);
  return { done, abort: () => request.abort() };
}

/** Why the API refused a file: its field messages, or its one message. */
function refusal(error: unknown): string {
  if (error instanceof ApiProblem && error.fields.length)
    return error.fields.map((field) => field.message).join('; ');
  return error instanceof Error ? error.message : String(error);
}

export interface FileUploads {
  /** The form group, for the page and for FormErrors (errors on `path` land here). */
  field: Field<HTMLInputElement>;
  /** The ids of the files uploaded, in the order chosen. */
  uploadIds(): string[];
  /** What stops the form being sent: files still uploading, or refused and not removed. */
  problems(): FieldError[];
  /** The files uploaded, to put back if the form is shown again (an upload stays claimable). */
  uploaded(): UploadedFile[];
}

export interface UploadedFile {
  file: File;
  uploadId: string;
}

export function fileUploads(options: {
  label: string;
  /** The API's path for the list, e.g. 'attachments' or 'uploadIds'. */
  path: string;
  hint: string;
  announce: (text: string) => void;
  /** Files already uploaded, shown as such. */
  initial?: readonly UploadedFile[];
}): FileUploads {
  const uploads: Upload[] = (options.initial ?? []).map(({ file, uploadId }) => ({
    file,
    uploadId,
    state: 'uploaded',
    progress: 1,
  }));
  const id = uid('files');
  const input = h('input', {
    class: 'file-upload',
    type: 'file',
    id,
    name: options.path,
    multiple: true,
    'aria-describedby': `${id}-hint`,
  });
  const list = h('ul', { class: 'upload-list', id: `${id}-list` });
  const group = h(
    'div',
    { class: 'form-group' },
    h('label', { class: 'label', for: id }, options.label),
    h('div', { class: 'hint', id: `${id}-hint` }, options.hint),
    input,
    list,
  );

  const render = () => {
    replace(
      list,
      uploads.map((upload) => {
        const name = upload.file.name;
        return h(
          'li',
          { class: `upload upload--${upload.state}` },
          h(
            'p',
            { class: 'upload__name' },
            name,
            h('span', { class: 'secondary-text' }, ` (${fileSize(upload.file.size)})`),
          ),
          upload.state === 'uploading'
            ? h(
                'p',
                { class: 'upload__status' },
                h('progress', {
                  class: 'upload__progress',
                  max: 100,
                  value: Math.round(upload.progress * 100),
                  'aria-label': `Uploading ${name}`,
                }),
                ` Uploading: ${Math.round(upload.progress * 100)}%`,
              )
            : upload.state === 'uploaded'
              ? h('p', { class: 'upload__status' }, 'Uploaded')
              : h(
                  'p',
                  { class: 'error-message' },
                  hidden('Error: '),
                  `${name} cannot be attached: ${upload.error}`,
                ),
          button(['Remove', hidden(` ${name}`)], {
            kind: 'secondary',
            type: 'button',
            onClick: () => {
              const index = uploads.indexOf(upload);
              upload.abort?.();
              uploads.splice(index, 1);
              render();
              options.announce(`${name} removed.`);
              // Focus stays in the list: on the next file's button, else back on the input.
              const buttons = list.querySelectorAll<HTMLButtonElement>('button');
              focusOn(buttons[Math.min(index, buttons.length - 1)] ?? input);
            },
          }),
        );
      }),
    );
    group.classList.toggle(
      'form-group--error',
      uploads.some((upload) => upload.state === 'failed'),
    );
  };

  // Progress redraws at most once a frame: a fast upload fires hundreds of events.
  let drawing = false;
  const redraw = () => {
    if (drawing) return;
    drawing = true;
    requestAnimationFrame(() => {
      drawing = false;
      render();
    });
  };

  async function send(upload: Upload): Promise<void> {
    const { file } = upload;
    // A browser that cannot tell a file's type sends none; the API then says which it takes.
    const contentType = file.type || 'application/octet-stream';
    try {
      const given = await api<{ uploadId: string; url: string }>('POST', '/api/uploads', {
        filename: file.name,
        contentType,
        size: file.size,
      });
      if (!uploads.includes(upload)) return;
      const sending = put(given.url, file, contentType, (fraction) => {
        upload.progress = fraction;
        redraw();
      });
      upload.abort = sending.abort;
      await sending.done;
      upload.uploadId = given.uploadId;
      upload.state = 'uploaded';
      options.announce(`${file.name} uploaded.`);
    } catch (error) {
      if (!uploads.includes(upload)) return;
      upload.state = 'failed';
      upload.error = refusal(error);
      options.announce(`${file.name} cannot be attached: ${upload.error}`);
    }
    render();
  }

  input.addEventListener('change', () => {
    const chosen = [...(input.files ?? [])];
    // Cleared, so the same file can be chosen again after it is removed.
    input.value = '';
    for (const file of chosen) {
      const upload: Upload = { file, state: 'uploading', progress: 0 };
      uploads.push(upload);
      void send(upload);
    }
    render();
  });

  render();
  return {
    field: { path: options.path, group, control: input, focusTarget: input, label: options.label },
    uploadIds: () => uploads.flatMap((upload) => (upload.uploadId ? [upload.uploadId] : [])),
    uploaded: () => uploads.flatMap(({ file, uploadId }) => (uploadId ? [{ file, uploadId }] : [])),
    problems: () =>
      uploads.flatMap((upload): FieldError[] =>
        upload.state === 'uploading'
          ? [{ path: options.path, message: `Wait for ${upload.file.name} to finish uploading` }]
          : upload.state === 'failed'
            ? [
                {
                  path: options.path,
                  message: `Remove ${upload.file.name}, which cannot be attached: ${upload.error}`,
                },
              ]
            : [],
      ),
  };
}

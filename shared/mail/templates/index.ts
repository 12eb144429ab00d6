import { dateTime, weekdayDate } from '../../dates.ts';
import { escapeHtml, htmlDocument } from './html.ts';

/** What every template needs to know about the request it speaks of. */
export interface TemplateRequest {
  reference: string;
  subject: string;
  senderName: string;
  /** Absent for a request opened by hand without an email address. */
  senderAddress?: string;
  organisation?: string;
  receivedAt: string;
  replyBy: string;
  /** The office's (OFFICE_TIMEZONE): every time in the mail is shown on its clock. */
  timeZone: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/**
 * Without control characters or anything that displays as nothing (format characters,
 * bidi marks, tag characters, variation selectors: Unicode's default-ignorables), with
 * the full stops other scripts use read as dots. A hidden character inside a link would
 * otherwise hide it from the patterns below and still show it whole to the reader.
 */
function visible(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\t\n\v\f\r]/g, ' ')
    .replace(/[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/gu, '')
    .replace(/[\u3002\uff0e\uff61\u2024\ufe52]/g, '.');
}

/**
 * Top-level domains a bare `name.tld` is taken as a domain under: the country codes and
 * the generic ones mail and spam use. "Node.js" and "Dr.Smith" are words, not addresses.
 */
const TLDS = new Set(
  (
    'ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw ' +
    'com org net edu gov mil int info biz name pro mobi tel asia xyz top site online shop store club live life link click win vip icu app dev page cloud tech space website fun bid loan work today news email digital agency services solutions support help world global group company network center media blog ltd llc inc zip mov example test invalid local localhost onion'
  ).split(' '),
);

/** A link (`scheme://`, `mailto:` and the like, `www.`), and what follows it up to a space. */
const LINK =
  /\b(?:[a-z][\w+.-]*:\/\/|(?:mailto|javascript|vbscript|data|file|tel|sms):|www\.)\S*/giu;
/** Something shaped like a domain, with any path; its top-level label is captured. */
const DOMAIN_SHAPE =
  /(?<![\p{L}\p{N}_-])(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+(\p{L}{2,}|xn--[\p{L}\p{N}-]+)(?![\p{L}\p{N}_-])(?:[/?#:]\S*)?/giu;
/** An IPv4 address, with any port or path: as good as a domain to a link. */
const IP = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])(?:[/?#:]\S*)?/gu;
const ADDRESS = /\S+@\S+/gu;

/** Replaces each bare domain (`evil.example/claim`, `xn--p1ai`, `пример.рф`) and IP address. */
function replaceDomains(text: string, by: (domain: string) => string): string {
  return text
    .replace(DOMAIN_SHAPE, (match: string, tld: string) => {
      const top = tld.toLowerCase();
      return top.startsWith('xn--') || /[^a-z]/.test(top) || TLDS.has(top) ? by(match) : match;
    })
    .replace(IP, by);
}

/**
 * What mail to someone outside the office may repeat of what a stranger wrote (the
 * subject, a name): anyone can forge a sender, and the office's reply goes to whoever
 * that is. So no address, no link, no domain, and at most `max` characters: the office's
 * mail cannot carry someone else's message. Hidden characters go first, so none can
 * split a link the patterns would otherwise see.
 */
export function neutralEcho(text: string, max: number): string {
  // Only the first few times `max` characters can survive; the patterns below are
  // quadratic in the worst case, so they never see more than that.
  const plain = replaceDomains(
    visible(text.slice(0, max * 4))
      .replace(ADDRESS, '…')
      .replace(LINK, '…'),
    () => '…',
  )
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > max ? `${plain.slice(0, max - 1).trimEnd()}…` : plain;
}

/** Longer is cut: a subject that long is read on the request, not in an alert. */
const DEFANG_MAX = 1000;
const bracketDots = (text: string) => text.replace(/(?<!\[)\.(?!\])/g, '[.]');

/**
 * What mail to staff repeats of a stranger's words: all of it, but with links and
 * domains made unclickable (`hxxps://evil[.]example/claim`), so an alert cannot be the
 * phishing mail it reports. The letter itself is on the request, as it came.
 */
export function defang(text: string): string {
  const cut = text.length > DEFANG_MAX ? '…' : '';
  const shown = visible(text.slice(0, DEFANG_MAX))
    .replace(/\s+/g, ' ')
    .replace(LINK, (link) =>
      bracketDots(link.replace(/^(h)tt(ps?)/i, '$1xx$2').replace(/:(?!\])/, '[:]')),
    );
  return `${replaceDomains(shown, bracketDots).trim()}${cut}`;
}

export function acknowledgement(request: TemplateRequest, officeName: string): RenderedMail {
  const name = request.senderName ? neutralEcho(request.senderName, 40) : '';
  const greeting = name ? `Dear ${name},` : 'Hello,';
  const lines = [
    greeting,
    `Thank you for your message "${neutralEcho(request.subject, 60)}". ${officeName} has received it and logged it as ${request.reference}.`,
    `We aim to reply by ${weekdayDate(request.replyBy, request.timeZone)}. Please keep ${request.reference} in the subject of any reply so that it joins the same request.`,
    'This is an automatic acknowledgement; please do not reply only to thank us.',
    officeName,
  ];
  return {
    // The sender's subject is not repeated here: the acknowledgement's subject is the
    // office's own words.
    subject: `[${request.reference}] We have received your request`,
    text: `${lines.join('\n\n')}\n`,
    html: htmlDocument(
      `${request.reference} received`,
      lines.map((line) => escapeHtml(line)),
    ),
  };
}

export function newRequestAlert(
  request: TemplateRequest,
  details: {
    attachments: string[];
    flags: string[];
    acknowledged: string;
    /** For a request staff opened by hand: how it came, and who recorded it. */
    recorded?: string;
  },
): RenderedMail {
  const from = request.senderAddress
    ? `${request.senderName ? `${request.senderName} ` : ''}<${request.senderAddress}>`
    : `${request.senderName || 'someone'} (no email address)`;
  const facts: Array<[string, string]> = [
    ['Reference', request.reference],
    ['From', from],
    ...(details.recorded ? [['Came', details.recorded] as [string, string]] : []),
    ['Organisation', request.organisation ?? 'not identified'],
    ['Subject', request.subject],
    ['Received', dateTime(request.receivedAt, request.timeZone)],
    ['Reply due by', weekdayDate(request.replyBy, request.timeZone)],
    ['Attachments', details.attachments.length ? details.attachments.join(', ') : 'none'],
    ['Acknowledgement', details.acknowledged],
    ...(details.flags.length ? [['Warnings', details.flags.join('; ')] as [string, string]] : []),
  ];
  return {
    subject: `[${request.reference}] New request from ${request.organisation ?? request.senderAddress ?? request.senderName}: ${request.subject}`,
    text: `A new request has arrived and is waiting for triage.\n\n${facts
      .map(([label, value]) => `${label}: ${value}`)
      .join('\n')}\n`,
    html: htmlDocument(`${request.reference} new request`, [
      'A new request has arrived and is waiting for triage.',
      facts
        .map(([label, value]) => `<strong>${escapeHtml(label)}:</strong> ${escapeHtml(value)}`)
        .join('<br>'),
    ]),
  };
}

export function messageJoinedAlert(
  request: TemplateRequest,
  message: { from: string; subject: string; matchedBy: string; machine?: string },
): RenderedMail {
  const facts: Array<[string, string]> = [
    ['Reference', request.reference],
    ['From', message.from],
    ['Subject', message.subject],
    ['Matched by', message.matchedBy],
    ...(message.machine ? [['Automatic mail', message.machine] as [string, string]] : []),
  ];
  return {
    subject: `[${request.reference}] New message: ${message.subject}`,
    text: `A new message has joined ${request.reference}.\n\n${facts
      .map(([label, value]) => `${label}: ${value}`)
      .join('\n')}\n`,
    html: htmlDocument(`${request.reference} new message`, [
      `A new message has joined ${escapeHtml(request.reference)}.`,
      facts
        .map(([label, value]) => `<strong>${escapeHtml(label)}:</strong> ${escapeHtml(value)}`)
        .join('<br>'),
    ]),
  };
}

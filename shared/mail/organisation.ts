/**
 * Which organisation wrote: a name from the signature block where one stands out, else
 * the sender's domain unless it is a public mailbox provider (which says nothing).
 */
export interface Organisation {
  name: string;
  source: 'signature' | 'domain';
}

const organisationWords =
  /\b(ltd|limited|plc|llp|llc|inc|cic|gmbh|s\.?a\.?|trust|association|council|society|foundation|federation|union|institute|university|college|charity|group|agency|partnership|alliance|network|forum|coalition|commission|board|company|corporation|co\.|consultancy|partners|chamber|campaign|centre|center|authority|service|kabushiki|k\.k\.)\b/i;

const valedictions =
  /^(kind regards|best regards|warm regards|regards|yours sincerely|yours faithfully|yours truly|best wishes|many thanks|with thanks|thanks|sincerely|cordialement|best)[,.!]?$/i;

const publicMailboxes = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'hotmail.co.uk',
  'live.com',
  'live.co.uk',
  'msn.com',
  'yahoo.com',
  'yahoo.co.uk',
  'icloud.com',
  'me.com',
  'aol.com',
  'btinternet.com',
  'sky.com',
  'virginmedia.com',
  'talktalk.net',
  'protonmail.com',
  'proton.me',
  'gmx.com',
  'mail.com',
  'zoho.com',
]);

function signatureLines(text: string): string[] {
  const all = text.replace(/\r\n/g, '\n').split('\n');
  // Only the new part of a reply: stop at the attribution line or the first quoted line.
  const quoteStart = all.findIndex(
    (line) => /^>/.test(line.trim()) || /^On .+wrote:\s*$/.test(line.trim()),
  );
  const lines = quoteStart === -1 ? all : all.slice(0, quoteStart);
  const dashes = lines.lastIndexOf('-- ');
  const valediction = lines.findLastIndex((line) => valedictions.test(line.trim()));
  const start =
    dashes !== -1 ? dashes + 1 : valediction !== -1 ? valediction + 1 : lines.length - 8;
  return lines
    .slice(Math.max(0, start), Math.max(0, start) + 10)
    .map((line) => line.trim())
    .filter(
      (line) =>
        line.length > 1 && line.length <= 80 && !/[@:>]|https?:|www\.|^\+?[\d ()-]+$/.test(line),
    );
}

/** The words of a job title, as a signature puts one before the organisation. */
const roleWords =
  /\b(chief|executive|director|manager|officer|head|adviser|advisor|secretary|chair|chairman|chairwoman|chairperson|president|vice|member|lead|coordinator|co-ordinator|consultant|founder|trustee|clerk|engineer|analyst|specialist|representative|spokesperson|volunteer|ceo|cfo|coo|cto|md)\b/i;

/**
 * The organisation in a signature line that also gives the writer's role: "Chief
 * Executive, Eastshire Wildlife Trust" or "Head of Policy at LumenCam Ltd" is the part
 * after the role. A comma inside a name ("Smith, Jones & Co LLP") is kept, since the part
 * before it is no role.
 */
function organisationIn(line: string): string {
  const split = /^(.+?)(?:\s*,\s*|\s+at\s+|\s+[|–—-]\s+)(.+)$/i.exec(line);
  const [role, rest] = [split?.[1], split?.[2]];
  if (role && rest && roleWords.test(role) && organisationWords.test(rest))
    return organisationIn(rest);
  return line;
}

export function inferOrganisation(text: string, senderAddress: string): Organisation | undefined {
  const fromSignature = signatureLines(text).find((line) => organisationWords.test(line));
  if (fromSignature)
    return { name: organisationIn(fromSignature).replace(/[,.]$/, ''), source: 'signature' };
  const domain = senderAddress.split('@')[1]?.toLowerCase();
  if (!domain || publicMailboxes.has(domain)) return undefined;
  return { name: domain, source: 'domain' };
}

// DiameterURI (RFC 6733 §4.3.1):
//   "aaa://" FQDN [ port ] [ transport ] [ protocol ]   or   "aaas://" ...
//   port = ":" 1*DIGIT; transport = ";transport=" ("tcp" | "sctp" | "udp");
//   protocol = ";protocol=" ("diameter" | "radius" | "tacacs+").
// Absent parts take the RFC's defaults: port 3868 (aaa) or 5658 (aaas), transport TCP, protocol
// Diameter. transport/protocol stay undefined here when absent, so the text round-trips.

export interface DiameterUri {
  secure: boolean;
  fqdn: string;
  port: number;
  transport: 'tcp' | 'sctp' | 'udp' | undefined;
  protocol: 'diameter' | 'radius' | 'tacacs+' | undefined;
}

const URI = /^(aaas?):\/\/([^:;/]+)(?::(\d{1,5}))?((?:;[A-Za-z]+=[^;]*)*)$/i;

export function parseDiameterUri(text: string): DiameterUri | undefined {
  const m = URI.exec(text);
  if (!m) return undefined;
  const secure = (m[1] ?? '').toLowerCase() === 'aaas';
  const port = m[3] === undefined ? (secure ? 5658 : 3868) : Number(m[3]);
  if (port > 65535) return undefined;
  const out: DiameterUri = { secure, fqdn: m[2] ?? '', port, transport: undefined, protocol: undefined };
  for (const param of (m[4] ?? '').split(';').filter(Boolean)) {
    const [key = '', value = ''] = param.split('=');
    const k = key.toLowerCase();
    const v = value.toLowerCase();
    if (k === 'transport' && (v === 'tcp' || v === 'sctp' || v === 'udp')) out.transport = v;
    else if (k === 'protocol' && (v === 'diameter' || v === 'radius' || v === 'tacacs+')) out.protocol = v;
    else return undefined;
  }
  return out;
}

export function formatDiameterUri(u: DiameterUri): string {
  let s = `${u.secure ? 'aaas' : 'aaa'}://${u.fqdn}:${u.port}`;
  if (u.transport) s += `;transport=${u.transport}`;
  if (u.protocol) s += `;protocol=${u.protocol}`;
  return s;
}

// Test helper: hex (spaces allowed) -> Buffer, Buffer -> lowercase hex.
export const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

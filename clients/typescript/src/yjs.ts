import * as Y from "yjs";

/**
 * Two Yjs states (base64 updates) as one: `Y.mergeUpdates` keeps every insertion and deletion of both, so neither
 * side's edit is lost. Undefined when either is not a Yjs update (the collision is then left to the user).
 */
export function mergeYjsStates(theirsB64: string, mineB64: string): string | undefined {
  try {
    return toBase64(Y.mergeUpdates([fromBase64(theirsB64), fromBase64(mineB64)]));
  } catch {
    return undefined;
  }
}

function fromBase64(b64: string): Uint8Array {
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  // In slices: String.fromCharCode with millions of arguments overflows the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

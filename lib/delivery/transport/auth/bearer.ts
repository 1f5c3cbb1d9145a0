/** `Bearer <token>` or another scheme word; a blank prefix sends the token alone (some APIs want that). */
export function bearerAuthorization(prefix: string, token: string): string {
  const p = prefix.trim();
  return p ? `${p} ${token}` : token;
}

/** RFC 7617: `Basic base64(user-id ":" password)`, UTF-8 encoded (the charset modern servers expect). */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

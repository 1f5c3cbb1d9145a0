import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { db } from "@/lib/db";
import { env } from "@/lib/core/env";
import { localPath } from "./local-path";
import { verifyPassword } from "./password";

const credentialsSchema = z.object({ email: z.email(), password: z.string().min(1) });

// A fixed hash to compare against when the email is unknown, so both paths take the same time.
const DUMMY_HASH = "$2b$12$C6UzMDM.H6dfI/f/IKcEeO6o7ydVCl/xcsH3hZGZfCZbcUWbRfyJy";

export function authOptions(): NextAuthOptions {
  return {
    secret: env().NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: 60 * 60 * 12 },
    pages: { signIn: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(raw) {
          const parsed = credentialsSchema.safeParse(raw);
          if (!parsed.success) return null;
          const prisma = await db();
          const user = await prisma.user.findUnique({ where: { email: parsed.data.email.toLowerCase() } });
          const ok = await verifyPassword(parsed.data.password, user?.passwordHash ?? DUMMY_HASH);
          if (!user || !ok) return null;
          return { id: user.id, email: user.email, name: user.name };
        },
      }),
    ],
    callbacks: {
      // Same-site targets only, parsed as a browser would. The answer must stay absolute (the
      // client's signIn reads it with `new URL`), so it carries NEXTAUTH_URL's origin: the sign-out
      // button therefore navigates by itself, to a relative path (app/(admin)/admin-nav.tsx).
      redirect({ url, baseUrl }) {
        return new URL(localPath(url, baseUrl) ?? "/", baseUrl).href;
      },
      jwt({ token, user }) {
        if (user) token.sub = user.id;
        return token;
      },
      session({ session, token }) {
        if (session.user && token.sub) (session.user as { id?: string }).id = token.sub;
        return session;
      },
    },
  };
}

import { z } from "@hono/zod-openapi";
import type { Sql } from "../db/database.ts";
import { newId } from "../ids.ts";

export interface UserRow {
  id: string;
  email: string;
  role: string;
  created_at: Date;
  updated_at: Date;
}

export const userColumns = "id, email, role, created_at, updated_at";

export const userSchema = z
  .object({
    id: z.string().openapi({ example: "usr_3k9x2m7q8x1c3v5b6n0z" }),
    email: z.string().openapi({ example: "ada@example.com" }),
    role: z.enum(["user", "admin"]),
    createdAt: z.string().datetime().openapi({ example: "2026-11-20T08:00:00.000Z" }),
    updatedAt: z.string().datetime().openapi({ example: "2026-11-22T09:15:00.000Z" }),
  })
  .openapi("User");

export type User = z.infer<typeof userSchema>;

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    role: row.role as User["role"],
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The user with this (normalized) email, created on first sign-in. */
export async function findOrCreateUser(tx: Sql, email: string): Promise<{ user: User; created: boolean }> {
  const inserted = await tx.query<UserRow>(
    `INSERT INTO backplane.users (id, email) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING RETURNING ${userColumns}`,
    [newId("usr"), email],
  );
  if (inserted[0]) return { user: toUser(inserted[0]), created: true };
  const rows = await tx.query<UserRow>(`SELECT ${userColumns} FROM backplane.users WHERE email = $1`, [email]);
  return { user: toUser(rows[0] as UserRow), created: false };
}

/** The orgs a user belongs to (what makes a user principal org-bound). */
export async function orgIdsOf(tx: Sql, userId: string): Promise<string[]> {
  const rows = await tx.query<{ org_id: string }>("SELECT org_id FROM backplane.org_members WHERE user_id = $1 ORDER BY org_id", [userId]);
  return rows.map((row) => row.org_id);
}

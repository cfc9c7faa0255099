import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export interface MigrationFile {
  module: string;
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const fileName = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads `<dir>/NNNN_what.sql` in version order; a file that breaks the naming rule is an error, not skipped. */
export function readMigrations(module: string, dir: string): MigrationFile[] {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir)
    .filter((file) => file.endsWith(".sql"))
    .sort();
  const seen = new Set<number>();
  return files.map((file) => {
    const match = fileName.exec(file);
    if (!match) throw new Error(`Migration ${module}/${file} must be named NNNN_lowercase_words.sql`);
    const version = Number(match[1]);
    if (seen.has(version)) throw new Error(`Migration ${module}/${file} repeats version ${match[1]}`);
    seen.add(version);
    // Line endings must not change the checksum between a Windows and a Linux checkout.
    const sql = readFileSync(path.join(dir, file), "utf8").replace(/\r\n/g, "\n");
    return { module, version, name: file, sql, checksum: createHash("sha256").update(sql).digest("hex") };
  });
}

/**
 * Scenario 2 peer: the biomech sessions endpoint as a NestJS app (seeds 001 and 004 chose
 * NestJS), on Nest's default Express platform. Benchmark only.
 *
 * Plain JavaScript so it runs without a build step: decorators are applied with tslib's
 * `__decorate`/`__param`/`__metadata`, which is exactly what `tsc` emits for the same
 * TypeScript (`@Controller("api/biomech/sessions") class SessionsController { … }`).
 *
 * Same work as Backplane's route: X-API-Key check against the keys in BIOMECH_API_KEYS
 * (constant-time, the seed-000 scheme; cheaper than Backplane's database keys), zod validation
 * of the query through a pipe, the identical SQL through `pg`, the same JSON shape.
 */
import "reflect-metadata";
import { timingSafeEqual } from "node:crypto";
import { BadRequestException, Controller, Get, Inject, Injectable, Module, Query, UnauthorizedException, UseGuards } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import pg from "pg";
import { __decorate, __metadata, __param } from "tslib";
import { z } from "zod";

const PG_POOL = "PG_POOL";

class ApiKeyGuard {
  constructor() {
    this.keys = (process.env.BIOMECH_API_KEYS ?? "")
      .split(",")
      .filter(Boolean)
      .map((key) => Buffer.from(key));
  }
  canActivate(context) {
    const presented = Buffer.from(String(context.switchToHttp().getRequest().headers["x-api-key"] ?? ""));
    const ok = this.keys.some((key) => key.length === presented.length && timingSafeEqual(key, presented));
    if (!ok) throw new UnauthorizedException("Missing or invalid API key");
    return true;
  }
}
__decorate([Injectable()], ApiKeyGuard);

class ZodValidationPipe {
  constructor(schema) {
    this.schema = schema;
  }
  transform(value) {
    const result = this.schema.safeParse(value);
    if (!result.success) throw new BadRequestException(result.error.issues);
    return result.data;
  }
}

const listSessionsQuery = z.object({
  orgId: z.string().regex(/^org_[0-9a-z]+$/),
  athleteId: z
    .string()
    .regex(/^ath_[0-9a-z]+$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

const columns = "id, athlete_id, captured_at, kind, duration_ms, rep_count, peak_force_n, peak_velocity_mps, asymmetry_pct";

let SessionsService = class SessionsService {
  constructor(pool) {
    this.pool = pool;
  }
  async list({ orgId, limit }) {
    const { rows } = await this.pool.query(
      `SELECT ${columns} FROM biomech.sessions
        WHERE org_id = $1 ORDER BY captured_at DESC, id DESC LIMIT $2`,
      [orgId, limit + 1],
    );
    const data = rows.slice(0, limit).map((row) => ({
      id: row.id,
      athleteId: row.athlete_id,
      capturedAt: new Date(row.captured_at).toISOString(),
      kind: row.kind,
      durationMs: row.duration_ms,
      summary: {
        repCount: row.rep_count,
        peakForceN: row.peak_force_n,
        peakVelocityMps: row.peak_velocity_mps,
        asymmetryPct: row.asymmetry_pct,
      },
    }));
    const last = data.at(-1);
    const nextCursor =
      rows.length > limit && last ? Buffer.from(JSON.stringify({ capturedAt: last.capturedAt, id: last.id })).toString("base64url") : null;
    return { data, nextCursor };
  }
};
SessionsService = __decorate([Injectable(), __param(0, Inject(PG_POOL)), __metadata("design:paramtypes", [pg.Pool])], SessionsService);

let SessionsController = class SessionsController {
  constructor(sessions) {
    this.sessions = sessions;
  }
  list(query) {
    return this.sessions.list(query);
  }
};
__decorate(
  [
    Get(),
    __param(0, Query(new ZodValidationPipe(listSessionsQuery))),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object]),
  ],
  SessionsController.prototype,
  "list",
  null,
);
SessionsController = __decorate(
  [Controller("api/biomech/sessions"), UseGuards(ApiKeyGuard), __metadata("design:paramtypes", [SessionsService])],
  SessionsController,
);

let AppModule = class AppModule {};
AppModule = __decorate(
  [
    Module({
      controllers: [SessionsController],
      providers: [
        SessionsService,
        {
          provide: PG_POOL,
          useFactory: () => new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_MAX ?? 10) }),
        },
      ],
    }),
  ],
  AppModule,
);

const app = await NestFactory.create(AppModule, { logger: ["error", "warn"] });
app.enableShutdownHooks();
app.getHttpServer().keepAliveTimeout = 30_000;
await app.listen(Number(process.env.PORT), "127.0.0.1");

import { randomBytes } from "node:crypto";
import { AppError } from "../errors";
import { Prisma } from "../generated/prisma/client";
import { decryptString, encryptString, isCiphertext, type KeyRing } from "./field-encryption";
import type { SchemaMetadata } from "./schema-metadata";

// Encrypts every `/// @encrypted` field on write and decrypts it on read, for the model's own queries
// and for relations included in results. Each value is bound to "<Model>.<field>:<row id>", so the
// extension needs the row id before writing: it generates ids for creates and looks them up for
// updates addressed by another unique field.

type Args = Record<string, unknown>;

const WRITE_OPERATIONS = new Set([
  "create",
  "update",
  "upsert",
  "createMany",
  "createManyAndReturn",
  "updateMany",
  "updateManyAndReturn",
]);

export function encryptionContext(model: string, field: string, id: string): string {
  return `${model}.${field}:${id}`;
}

/** A cuid-shaped id ("c" + 24 base-36 characters), made here because encryption needs it up front. */
export function createRowId(): string {
  const bytes = randomBytes(24);
  return `c${Array.from(bytes, (b) => (b % 36).toString(36)).join("")}`;
}

/** `getRing` is read on every query, so a rotated key takes effect without a new client. */
export function createEncryptionExtension(getRing: () => KeyRing, metadata: SchemaMetadata) {
  const encryptedOf = (model: string) => metadata.encryptedFields[model] ?? [];

  const encryptData = (model: string, data: Args, id: string): Args => {
    const out: Args = { ...data };
    for (const field of encryptedOf(model)) {
      const value = out[field];
      const plain = isSetOperation(value) ? value.set : value;
      if (typeof plain === "string")
        out[field] = encryptString(getRing(), plain, encryptionContext(model, field, id));
    }
    return out;
  };

  const assertNoNestedEncryptedWrites = (model: string, data: Args) => {
    for (const [relation, target] of Object.entries(metadata.relations[model] ?? {})) {
      if (data[relation] === undefined || encryptedOf(target).length === 0) continue;
      const nested = JSON.stringify(data[relation], (_k, v) => (typeof v === "bigint" ? v.toString() : v));
      if (encryptedOf(target).some((field) => nested.includes(`"${field}"`))) {
        throw new AppError("INTERNAL", {
          message: `write ${target}'s encrypted fields through prisma.${lowerFirst(target)}, not nested in ${model}`,
        });
      }
    }
  };

  const decryptResult = (model: string, value: unknown): unknown => {
    if (Array.isArray(value)) return value.map((item) => decryptResult(model, item));
    if (value === null || typeof value !== "object") return value;
    const row = value as Args;
    for (const field of encryptedOf(model)) {
      const stored = row[field];
      if (!isCiphertext(stored)) continue;
      if (typeof row.id !== "string") {
        throw new AppError("INTERNAL", { message: `select ${model}.id to read ${model}.${field}` });
      }
      row[field] = decryptString(getRing(), stored, encryptionContext(model, field, row.id));
    }
    for (const [relation, target] of Object.entries(metadata.relations[model] ?? {})) {
      if (row[relation] !== undefined) row[relation] = decryptResult(target, row[relation]);
    }
    return row;
  };

  // A `select` that reads an encrypted field must also read `id`, the decryption context.
  const withIdSelected = (model: string, args: Args): Args => {
    const select = args.select as Args | undefined;
    const include = args.include as Args | undefined;
    const out: Args = { ...args };
    if (select) {
      const next: Args = { ...select };
      if (encryptedOf(model).some((f) => select[f]) && !select.id) next.id = true;
      for (const [relation, target] of Object.entries(metadata.relations[model] ?? {})) {
        const nested = select[relation];
        if (nested && typeof nested === "object") next[relation] = withIdSelected(target, nested as Args);
      }
      out.select = next;
    }
    if (include) {
      const next: Args = { ...include };
      for (const [relation, target] of Object.entries(metadata.relations[model] ?? {})) {
        const nested = include[relation];
        if (nested && typeof nested === "object") next[relation] = withIdSelected(target, nested as Args);
      }
      out.include = next;
    }
    return out;
  };

  const assertNotFilteringOnEncrypted = (model: string, where: unknown) => {
    if (!where || typeof where !== "object") return;
    for (const field of encryptedOf(model)) {
      if (field in (where as Args)) {
        throw new AppError("INTERNAL", {
          message: `${model}.${field} is encrypted with a random IV and cannot be filtered on`,
        });
      }
    }
  };

  return Prisma.defineExtension((client) => {
    const resolveId = async (model: string, where: Args | undefined): Promise<string | undefined> => {
      if (typeof where?.id === "string") return where.id;
      const delegate = (
        client as unknown as Record<string, { findUnique: (a: Args) => Promise<{ id: string } | null> }>
      )[lowerFirst(model)];
      const row = await delegate?.findUnique({ where, select: { id: true } });
      return row?.id;
    };

    return client.$extends({
      name: "field-encryption",
      query: {
        $allModels: {
          async $allOperations({ model, operation, args, query }) {
            const fields = encryptedOf(model);
            const hasRelationsWithSecrets = Object.values(metadata.relations[model] ?? {}).some(
              (target) => encryptedOf(target).length > 0,
            );
            if (fields.length === 0 && !hasRelationsWithSecrets) return query(args);

            let next = args as Args;
            for (const payload of [next.data, next.create, next.update].flat()) {
              if (payload && typeof payload === "object")
                assertNoNestedEncryptedWrites(model, payload as Args);
            }
            if (fields.length > 0) {
              assertNotFilteringOnEncrypted(model, next.where);
              if (WRITE_OPERATIONS.has(operation)) next = await encryptArgs(model, operation, next);
            }
            if (next.select || next.include) next = withIdSelected(model, next);
            const result = await query(next as typeof args);
            return decryptResult(model, result);
          },
        },
      },
    });

    async function encryptArgs(model: string, operation: string, args: Args): Promise<Args> {
      const touches = (data: unknown) =>
        data !== null &&
        typeof data === "object" &&
        encryptedOf(model).some((f) => (data as Args)[f] !== undefined);
      switch (operation) {
        case "create": {
          const data = args.data as Args;
          const id = typeof data.id === "string" ? data.id : createRowId();
          return { ...args, data: encryptData(model, { ...data, id }, id) };
        }
        case "createMany":
        case "createManyAndReturn": {
          const rows = (Array.isArray(args.data) ? args.data : [args.data]) as Args[];
          return {
            ...args,
            data: rows.map((row) => {
              const id = typeof row.id === "string" ? row.id : createRowId();
              return encryptData(model, { ...row, id }, id);
            }),
          };
        }
        case "update": {
          if (!touches(args.data)) return args;
          const id = await resolveId(model, args.where as Args);
          // No row: let Prisma raise its usual "record not found" error.
          if (!id) return args;
          return { ...args, data: encryptData(model, args.data as Args, id) };
        }
        case "upsert": {
          const existingId = await resolveId(model, args.where as Args);
          const create = args.create as Args;
          const createId = typeof create.id === "string" ? create.id : createRowId();
          return {
            ...args,
            create: encryptData(model, { ...create, id: createId }, createId),
            update:
              existingId && touches(args.update)
                ? encryptData(model, args.update as Args, existingId)
                : args.update,
          };
        }
        default: {
          if (!touches(args.data)) return args;
          throw new AppError("INTERNAL", {
            message: `${operation} cannot write encrypted fields of ${model}: update rows one by one`,
          });
        }
      }
    }
  });
}

function isSetOperation(value: unknown): value is { set: unknown } {
  return value !== null && typeof value === "object" && "set" in value;
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

import { randomBytes } from "node:crypto";
import { AppError } from "../errors";
import { Prisma } from "../generated/prisma/client";
import {
  DecryptionError,
  decryptString,
  encryptString,
  isCiphertext,
  type KeyRing,
} from "./field-encryption";
import type { SchemaMetadata } from "./schema-metadata";

// Encrypts every `/// @encrypted` field on write and decrypts it on read, for the model's own queries
// and for relations included at any depth. Each value is bound to "<Model>.<field>:<row id>", so a
// write must know the row id up front: creates get an id generated here, and updates or upserts that
// write an encrypted field must address the row by `id`. Anything the extension cannot encrypt safely
// (a nested write of a secret, a bulk update, a filter on ciphertext) is refused, never passed through.

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

// Keys of a where clause that hold more conditions on the same model, or on a related one.
const LOGICAL_KEYS = new Set(["AND", "OR", "NOT"]);
const RELATION_FILTER_KEYS = new Set(["some", "every", "none", "is", "isNot"]);

export function encryptionContext(model: string, field: string, id: string): string {
  return `${model}.${field}:${id}`;
}

/** A cuid-shaped id ("c" + 24 base-36 characters), made here because encryption needs it up front. */
export function createRowId(): string {
  const bytes = randomBytes(24);
  return `c${Array.from(bytes, (b) => (b % 36).toString(36)).join("")}`;
}

function refuse(message: string): never {
  throw new AppError("INTERNAL", { message });
}

function isObject(value: unknown): value is Args {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date);
}

/** `getRing` is read on every query, so a rotated key takes effect without a new client. */
export function createEncryptionExtension(getRing: () => KeyRing, metadata: SchemaMetadata) {
  const encryptedOf = (model: string) => metadata.encryptedFields[model] ?? [];
  const relationsOf = (model: string) => Object.entries(metadata.relations[model] ?? {});

  // Models from which an encrypted field can be reached through relations; the others skip the work.
  const reachesSecrets = new Set(Object.keys(metadata.encryptedFields));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [model, relations] of Object.entries(metadata.relations)) {
      if (
        !reachesSecrets.has(model) &&
        Object.values(relations).some((target) => reachesSecrets.has(target))
      ) {
        reachesSecrets.add(model);
        grew = true;
      }
    }
  }

  const encryptData = (model: string, data: Args, id: string): Args => {
    const out: Args = { ...data };
    for (const field of encryptedOf(model)) {
      const value = out[field];
      const plain = isObject(value) && "set" in value ? value.set : value;
      if (typeof plain === "string")
        out[field] = encryptString(getRing(), plain, encryptionContext(model, field, id));
    }
    return out;
  };

  const writesEncrypted = (model: string, data: unknown) =>
    isObject(data) && encryptedOf(model).some((field) => data[field] !== undefined);

  // Any payload nested under a relation (create, connectOrCreate, upsert, update, createMany…, at any
  // depth) that writes an encrypted field of its model would bypass encryption: refuse it.
  const assertNoNestedEncryptedWrites = (model: string, data: unknown, nested: boolean): void => {
    if (Array.isArray(data)) {
      for (const item of data) assertNoNestedEncryptedWrites(model, item, nested);
      return;
    }
    if (!isObject(data)) return;
    if (nested && writesEncrypted(model, data)) {
      refuse(`write ${model}'s encrypted fields through its own delegate, not nested in another write`);
    }
    for (const [relation, target] of relationsOf(model)) {
      const operations = data[relation];
      if (!isObject(operations) || !reachesSecrets.has(target)) continue;
      for (const payload of Object.values(operations)) {
        // `createMany: { data: [...] }`, `update: { where, data }`, `upsert: { create, update }` and the
        // plain `create: {...}` forms all end in objects of the target model.
        for (const candidate of [
          payload,
          ...(isObject(payload) ? [payload.data, payload.create, payload.update] : []),
        ]) {
          assertNoNestedEncryptedWrites(target, candidate, true);
        }
      }
    }
  };

  const assertNotFilteringOnEncrypted = (model: string, where: unknown): void => {
    if (Array.isArray(where)) {
      for (const item of where) assertNotFilteringOnEncrypted(model, item);
      return;
    }
    if (!isObject(where)) return;
    for (const field of encryptedOf(model)) {
      if (field in where) refuse(`${model}.${field} is encrypted with a random IV and cannot be filtered on`);
    }
    for (const key of LOGICAL_KEYS) assertNotFilteringOnEncrypted(model, where[key]);
    for (const [relation, target] of relationsOf(model)) {
      const filter = where[relation];
      if (!isObject(filter) || !reachesSecrets.has(target)) continue;
      const nested = Object.keys(filter).some((key) => RELATION_FILTER_KEYS.has(key))
        ? Object.entries(filter)
            .filter(([key]) => RELATION_FILTER_KEYS.has(key))
            .map(([, value]) => value)
        : [filter];
      for (const condition of nested) assertNotFilteringOnEncrypted(target, condition);
    }
  };

  const decryptResult = (model: string, value: unknown): unknown => {
    if (Array.isArray(value)) return value.map((item) => decryptResult(model, item));
    if (!isObject(value)) return value;
    for (const field of encryptedOf(model)) {
      const stored = value[field];
      if (stored === null || stored === undefined) continue;
      // A value that is not a ciphertext was written around the extension: never trust it as a secret.
      if (!isCiphertext(stored))
        throw new DecryptionError(`${model}.${field} holds a value that is not a ciphertext`);
      if (typeof value.id !== "string") refuse(`select ${model}.id to read ${model}.${field}`);
      value[field] = decryptString(getRing(), stored, encryptionContext(model, field, value.id));
    }
    for (const [relation, target] of relationsOf(model)) {
      if (value[relation] !== undefined && reachesSecrets.has(target))
        value[relation] = decryptResult(target, value[relation]);
    }
    return value;
  };

  // A `select` that reads an encrypted field must also read `id`, the decryption context.
  const withIdSelected = (model: string, args: Args): Args => {
    const out: Args = { ...args };
    for (const key of ["select", "include"] as const) {
      const selection = args[key];
      if (!isObject(selection)) continue;
      const next: Args = { ...selection };
      if (key === "select" && encryptedOf(model).some((field) => selection[field])) next.id = true;
      for (const [relation, target] of relationsOf(model)) {
        const nested = selection[relation];
        if (isObject(nested)) next[relation] = withIdSelected(target, nested);
      }
      out[key] = next;
    }
    return out;
  };

  const encryptArgs = (model: string, operation: string, args: Args): Args => {
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
        if (!writesEncrypted(model, args.data)) return args;
        const id = (args.where as Args | undefined)?.id;
        if (typeof id !== "string") refuse(`update ${model}'s encrypted fields by id (where: { id })`);
        return { ...args, data: encryptData(model, args.data as Args, id) };
      }
      case "upsert": {
        if (!writesEncrypted(model, args.create) && !writesEncrypted(model, args.update)) return args;
        const id = (args.where as Args | undefined)?.id;
        if (typeof id !== "string") refuse(`upsert ${model}'s encrypted fields by id (where: { id })`);
        // The created row takes the id it was addressed by, so both branches share one context.
        return {
          ...args,
          create: encryptData(model, { ...(args.create as Args), id }, id),
          update: encryptData(model, args.update as Args, id),
        };
      }
      default: {
        if (!writesEncrypted(model, args.data)) return args;
        return refuse(`${operation} cannot write encrypted fields of ${model}: update rows one by one`);
      }
    }
  };

  return Prisma.defineExtension({
    name: "field-encryption",
    query: {
      $allModels: {
        async $allOperations({ model, operation, args, query }) {
          if (!reachesSecrets.has(model)) return query(args);
          let next = args as Args;
          for (const payload of [next.data, next.create, next.update]) {
            assertNoNestedEncryptedWrites(model, payload, false);
          }
          assertNotFilteringOnEncrypted(model, next.where);
          if (WRITE_OPERATIONS.has(operation) && encryptedOf(model).length > 0) {
            next = encryptArgs(model, operation, next);
          }
          if (next.select || next.include) next = withIdSelected(model, next);
          return decryptResult(model, await query(next as typeof args));
        },
      },
    },
  });
}

// Byte-level machinery for the structures of include/uapi/linux/vfio.h: little endian, x86-64
// layout, every field at the offset the C compiler gives it.

/** The C scalar types that vfio.h structures use (`__u8`, `__u16`, `__u32`, `__s32`, `__u64`). */
export type ScalarType = 'u8' | 'u16' | 'u32' | 's32' | 'u64';

/** Where one scalar field of a C structure lives. */
export interface FieldLayout {
  /** The field's name in vfio.h. */
  readonly c: string;
  /** `offsetof(struct, field)`. */
  readonly offset: number;
  /** The field's C type. */
  readonly type: ScalarType;
}

/** The scalar fields of a structure, keyed by their TypeScript (camelCase) names. */
export type FieldsLayout = Readonly<Record<string, FieldLayout>>;

/** The flexible array member that ends some vfio structures (`data[]`, `devices[]`, …). */
export interface FlexLayout {
  /** The TypeScript name of the array in encoder input and decoder output. */
  readonly name: string;
  /** The member's name in vfio.h. */
  readonly c: string;
  /** `offsetof(struct, member)`, which is also `sizeof(struct)`. */
  readonly offset: number;
  /** Element type: a scalar, or a nested structure. */
  readonly elem: ScalarType | StructLayout;
}

/** The layout of one vfio.h structure, as the C compiler lays it out on x86-64. */
export interface StructLayout<F extends FieldsLayout = FieldsLayout> {
  /** The structure's tag in vfio.h (`vfio_device_info` for `struct vfio_device_info`). */
  readonly c: string;
  /** `sizeof(struct)`, trailing padding included, flexible array excluded. */
  readonly size: number;
  /** The size the kernel copies from user space: `offsetofend(struct, minszField)`. */
  readonly minsz: number;
  /** The TypeScript name of the last field the kernel copies from user space. */
  readonly minszField: string;
  /** The scalar fields. */
  readonly fields: F;
  /** The flexible array member, if the structure ends with one. */
  readonly flex?: FlexLayout;
}

/** The decoded value of a scalar: `bigint` for `__u64` (exact), `number` otherwise. */
export type ScalarValue<T extends ScalarType> = T extends 'u64' ? bigint : number;

/** What an encoder accepts for a scalar: a `__u64` also takes a `number`. */
export type ScalarInit<T extends ScalarType> = T extends 'u64' ? number | bigint : number;

/** Decoded values of a structure's scalar fields. */
export type FieldValues<F extends FieldsLayout> = {
  -readonly [K in keyof F]: ScalarValue<F[K]['type']>;
};

/** Encoder input for a structure's scalar fields; a missing field is written as 0. */
export type FieldInits<F extends FieldsLayout> = { [K in keyof F]?: ScalarInit<F[K]['type']> };

/** Field name → `offsetof`. */
export type FieldOffsets<F extends FieldsLayout> = { readonly [K in keyof F]: number };

/**
 * An encoder/decoder pair for one vfio.h structure.
 *
 * @typeParam T - what `decode` returns
 * @typeParam I - what `encode` takes
 * @typeParam O - the `OFFSETS` object
 */
export interface StructCodec<T, I, O> {
  /** The structure's layout (C names, offsets, types); the C conformance test is built from it. */
  readonly LAYOUT: StructLayout;
  /** `sizeof(struct)`. */
  readonly SIZE: number;
  /** The kernel's `minsz` for this structure: shorter user buffers fault or fail. */
  readonly MINSZ: number;
  /** `offsetof` of every field (and of the flexible array, if any). */
  readonly OFFSETS: O;
  /**
   * Builds the structure's bytes. Missing fields are 0; `argsz`, where the structure has one,
   * defaults to the length of the returned buffer. Never throws.
   */
  encode(init: I): Uint8Array;
  /**
   * Reads the structure from `buf`. Returns `null` when `buf` is not a `Uint8Array` or is shorter
   * than `MINSZ` (the kernel's copy_from_user would fault). Never throws.
   */
  decode(buf: Uint8Array): T | null;
}

const WIDTH: Readonly<Record<ScalarType, number>> = { u8: 1, u16: 2, u32: 4, s32: 4, u64: 8 };

/**
 * Declares a structure layout, keeping field names and types as literal types.
 *
 * @param layout - the layout as vfio.h gives it
 * @returns the same object, frozen with its fields
 */
export function defineLayout<const F extends FieldsLayout>(
  layout: StructLayout<F> & { readonly minszField: keyof F & string },
): StructLayout<F> {
  Object.values(layout.fields).forEach((field) => Object.freeze(field));
  Object.freeze(layout.fields);
  if (layout.flex) Object.freeze(layout.flex);
  return Object.freeze(layout);
}

/** A little-endian view of `buf`, or `null` if it is not a Uint8Array of at least `min` bytes. */
export function viewOf(buf: unknown, min: number): DataView | null {
  if (!(buf instanceof Uint8Array) || buf.byteLength < min) return null;
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Reads one scalar; a field past the end of the view reads as 0. */
export function readScalar(view: DataView, offset: number, type: ScalarType): number | bigint {
  if (offset + WIDTH[type] > view.byteLength) return type === 'u64' ? 0n : 0;
  switch (type) {
    case 'u8':
      return view.getUint8(offset);
    case 'u16':
      return view.getUint16(offset, true);
    case 'u32':
      return view.getUint32(offset, true);
    case 's32':
      return view.getInt32(offset, true);
    case 'u64':
      return view.getBigUint64(offset, true);
  }
}

/** Any value as the low 64 bits of an integer, as a C conversion to `__u64` keeps them. */
export function toU64(value: unknown): bigint {
  if (typeof value === 'bigint') return BigInt.asUintN(64, value);
  if (typeof value === 'number' && Number.isFinite(value)) {
    return BigInt.asUintN(64, BigInt(Math.trunc(value)));
  }
  return 0n;
}

/** Any value as a number that DataView's setters wrap to the field width (non-numbers → 0). */
function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(BigInt.asUintN(32, value));
  return 0;
}

/** Writes one scalar, wrapping the value to the field's width as C assignment does. */
export function writeScalar(
  view: DataView,
  offset: number,
  type: ScalarType,
  value: unknown,
): void {
  switch (type) {
    case 'u8':
      view.setUint8(offset, toNumber(value));
      return;
    case 'u16':
      view.setUint16(offset, toNumber(value), true);
      return;
    case 'u32':
      view.setUint32(offset, toNumber(value), true);
      return;
    case 's32':
      view.setInt32(offset, toNumber(value), true);
      return;
    case 'u64':
      view.setBigUint64(offset, toU64(value), true);
      return;
  }
}

/** Reads every scalar field of a layout from `view`. */
export function decodeFields<F extends FieldsLayout>(
  view: DataView,
  fields: F,
  base = 0,
): FieldValues<F> {
  const out: Record<string, number | bigint> = {};
  for (const [name, field] of Object.entries(fields)) {
    out[name] = readScalar(view, base + field.offset, field.type);
  }
  return out as FieldValues<F>;
}

/** `value` as a record of fields; anything that is not an object gives no fields. */
export function recordOf(value: unknown): Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Writes the scalar fields present in `init` (others stay 0). */
export function encodeFields(view: DataView, fields: FieldsLayout, init: unknown, base = 0): void {
  const values = recordOf(init);
  for (const [name, field] of Object.entries(fields)) {
    const value = values[name];
    if (value !== undefined) writeScalar(view, base + field.offset, field.type, value);
  }
}

/** Field name → offset, plus the flexible array's name → its offset. */
export function layoutOffsets<F extends FieldsLayout>(layout: StructLayout<F>): FieldOffsets<F> {
  const out: Record<string, number> = {};
  for (const [name, field] of Object.entries(layout.fields)) out[name] = field.offset;
  if (layout.flex) out[layout.flex.name] = layout.flex.offset;
  return Object.freeze(out) as FieldOffsets<F>;
}

/** A zero-filled buffer of `length` bytes and a view on it. */
export function allocate(length: number): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(length);
  return { bytes, view: new DataView(bytes.buffer) };
}

/** Encoder input with `argsz` defaulted to `length` when the caller left it out. */
export function withArgsz(init: unknown, length: number): Readonly<Record<string, unknown>> {
  const fields = recordOf(init);
  return fields['argsz'] === undefined ? { ...fields, argsz: length } : fields;
}

/**
 * A codec for a structure without a flexible array.
 *
 * @param layout - the structure's layout
 * @returns encode/decode over exactly `layout.size` bytes
 */
export function fixedStructCodec<F extends FieldsLayout>(
  layout: StructLayout<F>,
): StructCodec<FieldValues<F>, FieldInits<F>, FieldOffsets<F>> {
  const hasArgsz = 'argsz' in layout.fields;
  return Object.freeze({
    LAYOUT: layout,
    SIZE: layout.size,
    MINSZ: layout.minsz,
    OFFSETS: layoutOffsets(layout),
    encode(init: FieldInits<F>): Uint8Array {
      const { bytes, view } = allocate(layout.size);
      encodeFields(view, layout.fields, hasArgsz ? withArgsz(init, layout.size) : init);
      return bytes;
    },
    decode(buf: Uint8Array): FieldValues<F> | null {
      const view = viewOf(buf, layout.minsz);
      return view === null ? null : decodeFields(view, layout.fields);
    },
  });
}

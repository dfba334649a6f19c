import type { Payload, PayloadCodec } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import proto from '@temporalio/proto';

const { History: HistoryMessage } = proto.temporal.api.history.v1;

/**
 * A copy of `history` with every payload decoded by `codec`, wherever it sits (inputs, results, memos,
 * failure details...): what `temporal workflow show --codec-endpoint` shows. For tools that read a
 * history's content outside a worker: the replay content check compares decoded inputs, and the recorded
 * test histories are stored decoded, so they replay with any key (or none).
 */
export function decodeHistory(history: History, codec: PayloadCodec): Promise<History> {
  return mapHistoryPayloads(history, (payloads) => codec.decode(payloads));
}

/**
 * A copy of `history` with its payloads replaced by what `map` makes of them (all at once, in one call),
 * except those under a field named in `skip` (e.g. `searchAttributes`, which no codec sees).
 */
export async function mapHistoryPayloads(
  history: History,
  map: (payloads: Payload[]) => Promise<Payload[]>,
  skip: readonly string[] = [],
): Promise<History> {
  // A copy through protobuf keeps every field's type (64-bit integers, timestamps) as the SDK expects it.
  const copy: History = HistoryMessage.decode(HistoryMessage.encode(history).finish());
  const found: { holder: Record<string, unknown>; key: string; payload: Payload }[] = [];
  const visit = (node: unknown) => {
    if (typeof node !== 'object' || node === null || ArrayBuffer.isView(node)) return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (skip.includes(key)) continue;
      if (isPayload(value)) found.push({ holder: node as Record<string, unknown>, key, payload: value });
      else visit(value);
    }
  };
  visit(copy);
  const mapped = await map(found.map((f) => f.payload));
  found.forEach((f, i) => (f.holder[f.key] = mapped[i]));
  return copy;
}

/** A Payload: byte-valued metadata with an `encoding`, and data. */
function isPayload(value: unknown): value is Payload {
  if (typeof value !== 'object' || value === null) return false;
  const { metadata } = value as { metadata?: unknown };
  return typeof metadata === 'object' && metadata !== null && ArrayBuffer.isView((metadata as Record<string, unknown>).encoding);
}

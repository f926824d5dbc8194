/** Reading back what reached the real broker: every message of a topic, and raw record-batch headers. */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type IHeaders, Kafka, logLevel } from "kafkajs";

export interface ReadMessage {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | undefined;
  readonly value: string | undefined;
  readonly timestamp: string;
  readonly headers: Record<string, string>;
}

export function testKafka(bootstrap: string): Kafka {
  return new Kafka({ clientId: "feedback-test", brokers: [bootstrap], logLevel: logLevel.NOTHING });
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k] = String(Array.isArray(v) ? v[0] : v);
  return out;
}

/**
 * Every message on `topic` up to its current high watermark, read with a fresh consumer group. Counting by
 * offsets makes duplicates visible: nothing is deduplicated here.
 */
export async function readTopic(kafka: Kafka, topic: string, timeoutMs = 30_000): Promise<ReadMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const highWatermarks = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  const total = [...highWatermarks.values()].reduce((a, b) => a + b, 0n);
  if (total === 0n) return [];
  const messages: ReadMessage[] = [];
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}-${Math.random()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`read ${messages.length} of ${total} messages of ${topic} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            if (BigInt(message.offset) >= (highWatermarks.get(partition) ?? 0n)) return;
            messages.push({
              partition,
              offset: message.offset,
              key: message.key?.toString(),
              value: message.value?.toString(),
              timestamp: message.timestamp,
              headers: headerText(message.headers),
            });
            if (BigInt(messages.length) >= total) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

export interface BatchHeader {
  readonly baseOffset: bigint;
  readonly records: number;
  /** 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  readonly compression: number;
  /** -1 unless written by an idempotent or transactional producer. */
  readonly producerId: bigint;
  readonly baseSequence: number;
}

/**
 * Record-batch headers (Kafka message format v2) of partition 0 of `topic`, read from the broker's segment
 * files: they show what the producer really sent (compression codec, producer id) rather than what a
 * consumer sees after decompression.
 */
export async function readBatchHeaders(logDir: string, topic: string): Promise<BatchHeader[]> {
  const dir = join(logDir, `${topic}-0`);
  const segments = (await readdir(dir)).filter((f) => f.endsWith(".log")).sort();
  const headers: BatchHeader[] = [];
  for (const segment of segments) {
    const buf = await readFile(join(dir, segment));
    for (let pos = 0; pos + 61 <= buf.length; ) {
      const batchLength = buf.readInt32BE(pos + 8);
      if (batchLength <= 0) break;
      headers.push({
        baseOffset: buf.readBigInt64BE(pos),
        compression: buf.readInt16BE(pos + 21) & 0x7,
        producerId: buf.readBigInt64BE(pos + 43),
        baseSequence: buf.readInt32BE(pos + 53),
        records: buf.readInt32BE(pos + 57),
      });
      pos += 12 + batchLength;
    }
  }
  return headers;
}

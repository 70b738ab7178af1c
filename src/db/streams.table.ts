import type { ColumnType, Generated, Selectable } from "kysely";

export interface StreamsTable {
  id: string;
  merchant_id: string;
  subject: string;
  platform: string;
  room_url: string;
  host: string;
  /** GTIN-14s, as JSON. */
  planned_gtins: ColumnType<string[], string, string>;
  public: boolean;
  status: "live" | "ended";
  opened_at: Generated<Date>;
  ended_at: Date | null;
  final_playlist_sha256: string | null;
  final_record_id: string | null;
  opened_record_id: string;
}
export type StreamRow = Selectable<StreamsTable>;

export interface StreamClaimsTable {
  record_id: string;
  stream_id: string;
  gtin: string;
  said_at: Date;
  created_at: Generated<Date>;
}

export interface StreamSegmentsTable {
  stream_id: string;
  rendition: string;
  /** int8: node-postgres gives a string; HLS media sequence numbers stay far below 2^53. */
  media_sequence: ColumnType<string, number, number>;
  uri: string;
  program_date_time: Date | null;
  duration: number;
  bytes: ColumnType<string, number, number>;
  sha256: string;
  record_id: string;
  accepted_at: Generated<Date>;
}
export type StreamSegmentRow = Selectable<StreamSegmentsTable>;

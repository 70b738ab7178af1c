// s3rver on loopback in a child process; shared with the benchmark, so it lives in scripts/lib.
export { startS3rver, S3RVER_SECRET, type S3rver } from "../../scripts/lib/s3rver.ts";

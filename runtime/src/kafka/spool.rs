//! The spool: a bounded, append-only file of records the broker could not
//! take yet, sent again in their original order once it is back.
//!
//! Each record is written with one `write` before the publish that produced
//! it returns, so it survives the process (not the machine: there is no
//! fsync per record). Records carry a sequence number given when the event
//! was published; draining sorts by it, so records that failed in flight and
//! were spooled late still go out in publish order.
//!
//! Draining renames the spool to a segment, `<name>.spool.draining.<n>`,
//! and starts an empty spool; only that rename happens under the spool's
//! lock, so publishers never wait on the reading. Records that fail again
//! are appended to the new spool. Segments are deleted once every record in
//! them was acknowledged or spooled again; segments left by a crash are
//! sent again at the next start (consumers drop the duplicates by event
//! id). A torn record at the end of a file (a crash mid-write) is ignored.
//!
//! Record layout (little-endian): `u32` length of the rest, `u64` sequence,
//! then length-prefixed event type, topic, key (`u32::MAX` = none), headers
//! (`u16` count, each name and value) and value.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::error::KafkaError;

/// One spooled record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SpoolRecord {
    pub(crate) seq: u64,
    pub(crate) event_type: String,
    pub(crate) topic: String,
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) headers: Vec<(String, Vec<u8>)>,
    pub(crate) value: Vec<u8>,
}

/// A record to append, borrowed from wherever it is.
pub(crate) struct RecordRef<'a, H> {
    pub(crate) seq: u64,
    pub(crate) event_type: &'a str,
    pub(crate) topic: &'a str,
    pub(crate) key: Option<&'a [u8]>,
    pub(crate) headers: H,
    pub(crate) value: &'a [u8],
}

/// The spool file of one producer.
pub(crate) struct Spool {
    path: PathBuf,
    file: File,
    /// Held for the spool's lifetime: two producers never share a spool.
    _lock: File,
    bytes: u64,
    records: u64,
    /// Segments being drained, oldest first, with their record counts.
    segments: Vec<(PathBuf, u64)>,
    next_segment: u64,
    max_bytes: u64,
    buf: Vec<u8>,
}

impl std::fmt::Debug for Spool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spool")
            .field("path", &self.path)
            .field("records", &self.records)
            .field("bytes", &self.bytes)
            .finish_non_exhaustive()
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> KafkaError + '_ {
    move |source| KafkaError::Spool {
        path: path.to_owned(),
        source,
    }
}

fn open_append(path: &Path) -> Result<File, KafkaError> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io_error(path))
}

impl Spool {
    /// Opens (or creates) `<dir>/<name>.spool`; returns it with the largest
    /// sequence number it holds.
    pub(crate) fn open(dir: &Path, name: &str, max_bytes: u64) -> Result<(Self, u64), KafkaError> {
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        let path = dir.join(format!("{name}.spool"));
        let lock_path = dir.join(format!("{name}.spool.lock"));
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_error(&lock_path))?;
        lock.try_lock().map_err(|_| KafkaError::Spool {
            path: path.clone(),
            source: io::Error::new(
                io::ErrorKind::WouldBlock,
                "another producer holds this spool: give each client its own client id or spool dir",
            ),
        })?;
        let (records, valid) = read_records(&path)?;
        let mut max_seq = records.iter().map(|r| r.seq).max().unwrap_or(0);
        // Drop a torn tail so appends start on a record boundary.
        truncate_to(&path, valid)?;
        let mut segments = Vec::new();
        let mut next_segment = 0;
        for (n, segment) in find_segments(dir, name)? {
            let (held, _) = read_records(&segment)?;
            max_seq = held.iter().map(|r| r.seq).fold(max_seq, u64::max);
            segments.push((segment, held.len() as u64));
            next_segment = next_segment.max(n + 1);
        }
        let spool = Spool {
            file: open_append(&path)?,
            path,
            _lock: lock,
            bytes: valid,
            records: records.len() as u64,
            segments,
            next_segment,
            max_bytes,
            buf: Vec::new(),
        };
        Ok((spool, max_seq))
    }

    /// Records waiting: spooled plus being drained.
    pub(crate) fn depth(&self) -> u64 {
        self.records + self.segments.iter().map(|(_, n)| n).sum::<u64>()
    }

    /// Records appended since the last [`rotate`](Self::rotate).
    pub(crate) fn is_empty(&self) -> bool {
        self.records == 0
    }

    /// Appends a new record: refused when the spool is full.
    pub(crate) fn append<'a, H>(&mut self, record: RecordRef<'a, H>) -> Result<(), KafkaError>
    where
        H: IntoIterator<Item = (&'a str, &'a [u8])>,
    {
        self.write(record, false)
    }

    /// Appends a record accepted earlier that failed in flight: taken even
    /// beyond the limit, which only refuses new events.
    pub(crate) fn append_accepted<'a, H>(
        &mut self,
        record: RecordRef<'a, H>,
    ) -> Result<(), KafkaError>
    where
        H: IntoIterator<Item = (&'a str, &'a [u8])>,
    {
        self.write(record, true)
    }

    fn write<'a, H>(&mut self, record: RecordRef<'a, H>, accepted: bool) -> Result<(), KafkaError>
    where
        H: IntoIterator<Item = (&'a str, &'a [u8])>,
    {
        self.buf.clear();
        encode(&mut self.buf, record);
        let len = self.buf.len() as u64;
        if !accepted && self.bytes + len > self.max_bytes {
            return Err(KafkaError::SpoolFull {
                bytes: self.bytes,
                max: self.max_bytes,
            });
        }
        if let Err(e) = self.file.write_all(&self.buf) {
            // A torn record would hide every later one: cut it off.
            let _ = self.file.set_len(self.bytes);
            return Err(io_error(&self.path)(e));
        }
        self.bytes += len;
        self.records += 1;
        Ok(())
    }

    /// Moves the spooled records aside into a new segment and starts an
    /// empty spool (a rename: cheap under the lock); returns every segment to
    /// drain, oldest first, with those of unfinished earlier drains. Read
    /// them with [`read_segments`], then [`finish`](Self::finish) them.
    pub(crate) fn rotate(&mut self) -> Result<Vec<PathBuf>, KafkaError> {
        if self.records > 0 {
            let segment = self
                .path
                .with_extension(format!("spool.draining.{}", self.next_segment));
            self.next_segment += 1;
            std::fs::rename(&self.path, &segment).map_err(io_error(&segment))?;
            self.file = open_append(&self.path)?;
            self.segments.push((segment, self.records));
            self.bytes = 0;
            self.records = 0;
        }
        Ok(self.segments.iter().map(|(p, _)| p.clone()).collect())
    }

    /// Forgets drained segments: every record in them was delivered or
    /// spooled again.
    pub(crate) fn finish(&mut self, drained: &[PathBuf]) -> Result<(), KafkaError> {
        for path in drained {
            match std::fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error(path)(e)),
            }
        }
        self.segments.retain(|(p, _)| !drained.contains(p));
        Ok(())
    }
}

/// Every record of `segments`, sorted by sequence number.
pub(crate) fn read_segments(segments: &[PathBuf]) -> Result<Vec<SpoolRecord>, KafkaError> {
    let mut records = Vec::new();
    for segment in segments {
        records.append(&mut read_records(segment)?.0);
    }
    records.sort_by_key(|r| r.seq);
    Ok(records)
}

/// The drain segments of spool `name` in `dir`, with their numbers, oldest first.
fn find_segments(dir: &Path, name: &str) -> Result<Vec<(u64, PathBuf)>, KafkaError> {
    let prefix = format!("{name}.spool.draining.");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        let file_name = entry.file_name();
        let Some(n) = file_name
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|n| n.parse::<u64>().ok())
        else {
            continue;
        };
        found.push((n, entry.path()));
    }
    found.sort();
    Ok(found)
}

fn truncate_to(path: &Path, len: u64) -> Result<(), KafkaError> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .and_then(|f| f.set_len(len))
        .map_err(io_error(path))
}

fn put_bytes(buf: &mut Vec<u8>, bytes: &[u8]) {
    buf.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    buf.extend_from_slice(bytes);
}

fn encode<'a, H>(buf: &mut Vec<u8>, r: RecordRef<'a, H>)
where
    H: IntoIterator<Item = (&'a str, &'a [u8])>,
{
    let start = buf.len();
    buf.extend_from_slice(&[0; 4]);
    buf.extend_from_slice(&r.seq.to_le_bytes());
    put_bytes(buf, r.event_type.as_bytes());
    put_bytes(buf, r.topic.as_bytes());
    match r.key {
        Some(key) => put_bytes(buf, key),
        None => buf.extend_from_slice(&u32::MAX.to_le_bytes()),
    }
    let count_at = buf.len();
    buf.extend_from_slice(&[0; 2]);
    let mut count: u16 = 0;
    for (name, value) in r.headers {
        put_bytes(buf, name.as_bytes());
        put_bytes(buf, value);
        count += 1;
    }
    buf[count_at..count_at + 2].copy_from_slice(&count.to_le_bytes());
    put_bytes(buf, r.value);
    let len = (buf.len() - start - 4) as u32;
    buf[start..start + 4].copy_from_slice(&len.to_le_bytes());
}

/// Reads a spool file: its complete records and the length they span.
fn read_records(path: &Path) -> Result<(Vec<SpoolRecord>, u64), KafkaError> {
    let data = match std::fs::read(path) {
        Ok(data) => data,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(io_error(path)(e)),
    };
    let mut records = Vec::new();
    let mut at = 0;
    while let Some(record) = data.get(at..).and_then(decode) {
        at += record.1;
        records.push(record.0);
    }
    Ok((records, at as u64))
}

/// Cursor over one record's bytes; `None` on any shortfall (a torn tail).
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Some(head)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    fn string(&mut self) -> Option<String> {
        String::from_utf8(self.bytes()?.to_vec()).ok()
    }
}

fn decode(data: &[u8]) -> Option<(SpoolRecord, usize)> {
    let mut outer = Cursor(data);
    let len = outer.u32()? as usize;
    let mut c = Cursor(outer.take(len)?);
    let seq = u64::from_le_bytes(c.take(8)?.try_into().ok()?);
    let event_type = c.string()?;
    let topic = c.string()?;
    let key_len = c.u32()?;
    let key = if key_len == u32::MAX {
        None
    } else {
        Some(c.take(key_len as usize)?.to_vec())
    };
    let count = u16::from_le_bytes(c.take(2)?.try_into().ok()?);
    let mut headers = Vec::with_capacity(count.into());
    for _ in 0..count {
        headers.push((c.string()?, c.bytes()?.to_vec()));
    }
    let value = c.bytes()?.to_vec();
    Some((
        SpoolRecord {
            seq,
            event_type,
            topic,
            key,
            headers,
            value,
        },
        4 + len,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn append(spool: &mut Spool, seq: u64, value: &[u8]) {
        let headers: [(&str, &[u8]); 1] = [("ce_id", b"1")];
        spool
            .append(RecordRef {
                seq,
                event_type: "t.E",
                topic: "t.events",
                key: Some(b"k"),
                headers,
                value,
            })
            .unwrap();
    }

    #[test]
    fn records_survive_reopening_and_drain_in_sequence_order() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut spool, max) = Spool::open(dir.path(), "p", 1 << 20).unwrap();
            assert_eq!(max, 0);
            append(&mut spool, 7, b"late");
            append(&mut spool, 3, b"early");
            assert_eq!(spool.depth(), 2);
        }
        let (mut spool, max) = Spool::open(dir.path(), "p", 1 << 20).unwrap();
        assert_eq!((max, spool.depth()), (7, 2));
        let segments = spool.rotate().unwrap();
        let taken = read_segments(&segments).unwrap();
        assert_eq!(taken.iter().map(|r| r.seq).collect::<Vec<_>>(), [3, 7]);
        assert_eq!(taken[0].value, b"early");
        assert_eq!(taken[0].key.as_deref(), Some(&b"k"[..]));
        assert_eq!(taken[0].headers, [("ce_id".to_owned(), b"1".to_vec())]);
        assert!(spool.is_empty());
        assert_eq!(spool.depth(), 2, "being drained still counts");
        // Not finished: a restart sends them again, before newer records.
        drop(spool);
        let (mut spool, max) = Spool::open(dir.path(), "p", 1 << 20).unwrap();
        assert_eq!((max, spool.depth()), (7, 2));
        append(&mut spool, 9, b"newer");
        let segments = spool.rotate().unwrap();
        assert_eq!(segments.len(), 2);
        let taken = read_segments(&segments).unwrap();
        assert_eq!(taken.iter().map(|r| r.seq).collect::<Vec<_>>(), [3, 7, 9]);
        spool.finish(&segments).unwrap();
        assert_eq!(spool.depth(), 0);
        drop(spool);
        let (spool, _) = Spool::open(dir.path(), "p", 1 << 20).unwrap();
        assert_eq!(spool.depth(), 0, "finished segments are gone");
    }

    /// A keyless, headerless record of 80 value bytes.
    fn big(seq: u64) -> RecordRef<'static, std::iter::Empty<(&'static str, &'static [u8])>> {
        RecordRef {
            seq,
            event_type: "t.E",
            topic: "t.events",
            key: None,
            headers: std::iter::empty(),
            value: &[0; 80],
        }
    }

    #[test]
    fn a_full_spool_refuses_and_a_torn_tail_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let (mut spool, _) = Spool::open(dir.path(), "p", 120).unwrap();
        append(&mut spool, 1, &[0; 40]);
        let err = spool.append(big(2)).unwrap_err();
        assert!(matches!(err, KafkaError::SpoolFull { .. }), "{err}");
        // A record that failed in flight was accepted already: never refused.
        spool.append_accepted(big(2)).unwrap();
        drop(spool);
        let path = dir.path().join("p.spool");
        let mut data = std::fs::read(&path).unwrap();
        data.extend_from_slice(&[50, 0, 0, 0, 1, 2]);
        std::fs::write(&path, data).unwrap();
        let (mut spool, _) = Spool::open(dir.path(), "p", 1 << 20).unwrap();
        assert_eq!(spool.depth(), 2);
        append(&mut spool, 3, b"after");
        let taken = read_segments(&spool.rotate().unwrap()).unwrap();
        assert_eq!(taken.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2, 3]);
    }

    #[test]
    fn a_second_producer_cannot_share_a_spool() {
        let dir = tempfile::tempdir().unwrap();
        let (_spool, _) = Spool::open(dir.path(), "p", 1 << 20).unwrap();
        let err = Spool::open(dir.path(), "p", 1 << 20).unwrap_err();
        assert!(err.to_string().contains("another producer"), "{err}");
    }
}

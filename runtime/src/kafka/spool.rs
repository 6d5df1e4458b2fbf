//! The spool: a bounded, append-only file of records the broker could not
//! take yet, sent again in their original order once it is back.
//!
//! Each record is written with one `write` before the publish that produced
//! it returns, so it survives the process (not the machine: there is no
//! fsync per record). Records carry a sequence number given when the event
//! was published; draining sorts by it, so records that failed in flight and
//! were spooled late still go out in publish order.
//!
//! Draining renames the spool to `<name>.draining` and starts an empty
//! spool; records that fail again are appended to the new one. A
//! `.draining` file left by a crash is sent again at the next start
//! (consumers drop the duplicates by event id). A torn record at the end of
//! a file (a crash mid-write) is ignored.
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
    draining: PathBuf,
    file: File,
    /// Held for the spool's lifetime: two producers never share a spool.
    _lock: File,
    bytes: u64,
    records: u64,
    draining_records: u64,
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
        let draining = dir.join(format!("{name}.spool.draining"));
        let mut max_seq = 0;
        let mut counts = [0u64; 2];
        let mut bytes = 0;
        for (i, p) in [&path, &draining].into_iter().enumerate() {
            let (records, valid) = read_records(p)?;
            max_seq = records.iter().map(|r| r.seq).fold(max_seq, u64::max);
            counts[i] = records.len() as u64;
            if i == 0 {
                // Drop a torn tail so appends start on a record boundary.
                truncate_to(p, valid)?;
                bytes = valid;
            }
        }
        let spool = Spool {
            file: open_append(&path)?,
            path,
            draining,
            _lock: lock,
            bytes,
            records: counts[0],
            draining_records: counts[1],
            max_bytes,
            buf: Vec::new(),
        };
        Ok((spool, max_seq))
    }

    /// Records waiting: spooled plus being drained.
    pub(crate) fn depth(&self) -> u64 {
        self.records + self.draining_records
    }

    /// Records appended since the last [`take`](Self::take).
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

    /// Moves the spooled records aside for draining and starts an empty
    /// spool; returns every record to send (with those of an unfinished
    /// earlier drain), sorted by sequence number.
    pub(crate) fn take(&mut self) -> Result<Vec<SpoolRecord>, KafkaError> {
        let (mut records, _) = read_records(&self.draining)?;
        if self.records > 0 {
            let (mut fresh, _) = read_records(&self.path)?;
            records.append(&mut fresh);
            let mut all = Vec::new();
            for r in &records {
                encode(
                    &mut all,
                    RecordRef {
                        seq: r.seq,
                        event_type: &r.event_type,
                        topic: &r.topic,
                        key: r.key.as_deref(),
                        headers: r.headers.iter().map(|(k, v)| (k.as_str(), v.as_slice())),
                        value: &r.value,
                    },
                );
            }
            // Write the merged set first, then empty the spool: a crash in
            // between sends some records twice, never none.
            let tmp = self.draining.with_extension("tmp");
            std::fs::write(&tmp, &all).map_err(io_error(&tmp))?;
            std::fs::rename(&tmp, &self.draining).map_err(io_error(&self.draining))?;
            truncate_to(&self.path, 0)?;
            self.file = open_append(&self.path)?;
            self.bytes = 0;
            self.records = 0;
        }
        records.sort_by_key(|r| r.seq);
        self.draining_records = records.len() as u64;
        Ok(records)
    }

    /// Forgets the drained records: every one was delivered or spooled again.
    pub(crate) fn finish_drain(&mut self) -> Result<(), KafkaError> {
        match std::fs::remove_file(&self.draining) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(&self.draining)(e)),
        }
        self.draining_records = 0;
        Ok(())
    }
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
        let taken = spool.take().unwrap();
        assert_eq!(taken.iter().map(|r| r.seq).collect::<Vec<_>>(), [3, 7]);
        assert_eq!(taken[0].value, b"early");
        assert_eq!(taken[0].key.as_deref(), Some(&b"k"[..]));
        assert_eq!(taken[0].headers, [("ce_id".to_owned(), b"1".to_vec())]);
        assert!(spool.is_empty());
        // Not finished: a restart sends them again.
        drop(spool);
        let (mut spool, _) = Spool::open(dir.path(), "p", 1 << 20).unwrap();
        assert_eq!(spool.depth(), 2);
        assert_eq!(spool.take().unwrap().len(), 2);
        spool.finish_drain().unwrap();
        assert_eq!(spool.depth(), 0);
    }

    #[test]
    fn a_full_spool_refuses_and_a_torn_tail_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let (mut spool, _) = Spool::open(dir.path(), "p", 120).unwrap();
        append(&mut spool, 1, &[0; 40]);
        let err = spool
            .append(RecordRef {
                seq: 2,
                event_type: "t.E",
                topic: "t.events",
                key: None,
                headers: std::iter::empty(),
                value: &[0; 80],
            })
            .unwrap_err();
        assert!(matches!(err, KafkaError::SpoolFull { .. }), "{err}");
        // A record that failed in flight was accepted already: never refused.
        spool
            .append_accepted(RecordRef {
                seq: 2,
                event_type: "t.E",
                topic: "t.events",
                key: None,
                headers: std::iter::empty(),
                value: &[0; 80],
            })
            .unwrap();
        drop(spool);
        let path = dir.path().join("p.spool");
        let mut data = std::fs::read(&path).unwrap();
        data.extend_from_slice(&[50, 0, 0, 0, 1, 2]);
        std::fs::write(&path, data).unwrap();
        let (mut spool, _) = Spool::open(dir.path(), "p", 1 << 20).unwrap();
        assert_eq!(spool.depth(), 2);
        append(&mut spool, 3, b"after");
        let taken = spool.take().unwrap();
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

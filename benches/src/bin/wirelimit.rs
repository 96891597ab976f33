//! The wire-limit driver: how fast the members answer when the client does almost nothing.
//!
//! One raw TCP connection per member (`--members` must list every member), requests encoded once
//! before the run (one per key and operation), routed to the key's partition owner, and
//! `--concurrency` of them kept in flight. A reader thread per connection cuts answers out of the
//! byte stream by their frame headers only (no decoding of values), records the latency of the
//! slot the correlation id names, and writes that slot's next request — patching just its
//! correlation id — batched with the others of the same read into one write per connection.
//! Closed loop only. Same options and JSON output as `loadgen`.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::BytesMut;
use hazelcast_benches::cli::{Options, Workload};
use hazelcast_benches::report::{self, DONE, Edges, MEASURE, Report, Window};
use hazelcast_benches::sys;
use hazelcast_benches::workload::{self, Chooser, Op};
use hazelcast_codec::messages::Request;
use hazelcast_codec::messages::client::{
    AUTH_STATUS_AUTHENTICATED, ClientAddClusterViewListenerEvent, ClientAddClusterViewListenerRequest,
    ClientAuthenticationRequest, ClientAuthenticationResponse, ROUTING_MODE_SMART,
};
use hazelcast_codec::messages::map::{MapGetRequest, MapPutRequest, MapRemoveRequest, MapSetRequest};
use hazelcast_codec::types::ListRef;
use hazelcast_codec::{
    ClientMessage, MessageDecoder, PROTOCOL_PREAMBLE, SERIALIZATION_VERSION, Serialize, Uuid, partition,
};
use hdrhistogram::Histogram;

const FRAME_HEADER: usize = 6;
const IS_FINAL: u16 = 0x2000;
const IS_EVENT: u16 = 0x0200;
/// Offset of the correlation id in a message (frame header + message type).
const CORRELATION_AT: usize = FRAME_HEADER + 4;

fn main() {
    let o = Options::from_env();
    match run(o) {
        Ok(Some(r)) => println!("{}", r.to_json()),
        Ok(None) => {}
        Err(e) => {
            eprintln!("wirelimit: {e}");
            std::process::exit(1);
        }
    }
}

/// A blocking connection used during set-up (authentication, cluster view).
struct Setup {
    stream: TcpStream,
    decoder: MessageDecoder,
    buf: BytesMut,
}

impl Setup {
    fn connect(addr: &str) -> Result<Setup, String> {
        let sa: SocketAddr = addr
            .to_socket_addrs()
            .map_err(|e| format!("{addr}: {e}"))?
            .next()
            .ok_or_else(|| format!("{addr}: no address"))?;
        let mut stream =
            TcpStream::connect_timeout(&sa, Duration::from_secs(5)).map_err(|e| format!("{addr}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        stream.write_all(PROTOCOL_PREAMBLE).map_err(|e| e.to_string())?;
        Ok(Setup {
            stream,
            decoder: MessageDecoder::default(),
            buf: BytesMut::new(),
        })
    }

    fn send(&mut self, mut msg: ClientMessage, id: i64) -> Result<(), String> {
        msg.set_correlation_id(id);
        self.stream.write_all(msg.as_bytes()).map_err(|e| e.to_string())
    }

    fn recv(&mut self) -> Result<ClientMessage, String> {
        self.stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(|e| e.to_string())?;
        loop {
            if let Some(m) = self.decoder.decode(&mut self.buf).map_err(|e| e.to_string())? {
                return Ok(m);
            }
            let mut chunk = [0u8; 16 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err("connection closed during set-up".into()),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) => return Err(format!("set-up read: {e}")),
            }
        }
    }

    fn authenticate(&mut self, cluster_name: &str) -> Result<ClientAuthenticationResponse, String> {
        let labels: [String; 0] = [];
        let req = ClientAuthenticationRequest {
            uuid: Some(Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0001)),
            serialization_version: SERIALIZATION_VERSION,
            routing_mode: ROUTING_MODE_SMART,
            cp_direct_to_leader_routing: false,
            cluster_name,
            username: None,
            password: None,
            client_type: "RST",
            client_hazelcast_version: "5.7.0",
            client_name: "wirelimit",
            labels: ListRef(&labels),
        };
        self.send(req.encode(-1), 1)?;
        loop {
            let m = self.recv()?;
            if m.correlation_id() == 1 && !m.is_event() {
                let auth = ClientAuthenticationResponse::decode(&m).map_err(|e| e.to_string())?;
                if auth.status != AUTH_STATUS_AUTHENTICATED {
                    return Err(format!("authentication status {}", auth.status));
                }
                return Ok(auth);
            }
        }
    }
}

/// The partition table (owner per partition), read from the cluster-view listener.
fn partition_owners(setup: &mut Setup, map: &str, count: i32) -> Result<Vec<Uuid>, String> {
    setup.send(ClientAddClusterViewListenerRequest {}.encode(-1), 2)?;
    // A fresh cluster assigns its partitions on the first partition-bound operation.
    let probe = "probe".to_data();
    let pid = partition::partition_id(&probe, count);
    let get = MapGetRequest {
        thread_id: 1,
        name: map,
        key: &probe,
    };
    setup.send(get.encode(pid), 3)?;
    loop {
        let m = setup.recv()?;
        if m.correlation_id() != 2 || !m.is_event() {
            continue;
        }
        if let Ok(ClientAddClusterViewListenerEvent::PartitionsView(v)) =
            ClientAddClusterViewListenerEvent::decode(&m)
        {
            let mut owners = vec![Uuid::nil(); usize::try_from(count).unwrap_or(0)];
            for (uuid, parts) in &v.partitions.0 {
                for &p in parts {
                    if let Some(slot) = usize::try_from(p).ok().and_then(|i| owners.get_mut(i)) {
                        *slot = *uuid;
                    }
                }
            }
            if !v.partitions.0.is_empty() && owners.iter().all(|u| !u.is_nil()) {
                return Ok(owners);
            }
        }
    }
}

/// Requests encoded once: per operation kind, per key, the wire bytes and the connection.
struct Prepared {
    get: Vec<Vec<u8>>,
    put: Vec<Vec<u8>>,
    set: Vec<Vec<u8>>,
    remove: Vec<Vec<u8>>,
    conn_of_key: Vec<usize>,
}

impl Prepared {
    fn bytes(&self, key: usize, op: Op) -> &[u8] {
        match op {
            Op::Get => &self.get[key],
            Op::Put => &self.put[key],
            Op::Set => &self.set[key],
            Op::Remove => &self.remove[key],
            // `run` refuses the workloads that pick these before anything is sent.
            Op::Offer | Op::Poll | Op::Publish => &[],
        }
    }
}

fn prepare(o: &Options, owners: &[Uuid], members: &[Uuid]) -> Result<Prepared, String> {
    let keys = workload::keys(o.keys);
    let value = workload::value(o.value_size).to_data();
    let count = i32::try_from(owners.len()).unwrap_or(i32::MAX);
    let mut p = Prepared {
        get: Vec::new(),
        put: Vec::new(),
        set: Vec::new(),
        remove: Vec::new(),
        conn_of_key: Vec::new(),
    };
    let uses = |op: Op| match o.workload {
        Workload::Get => op == Op::Get,
        Workload::Put => op == Op::Put,
        Workload::Set => op == Op::Set,
        Workload::Mix => op != Op::Put,
        // Refused in `run` before any connection.
        Workload::CompactGet | Workload::CompactSet | Workload::Queue | Workload::Topic => false,
    };
    for k in &keys {
        let key = k.to_data();
        let pid = partition::partition_id(&key, count);
        let owner = owners[usize::try_from(pid).unwrap_or(0)];
        let conn = members
            .iter()
            .position(|m| *m == owner)
            .ok_or_else(|| format!("partition {pid} is owned by {owner}, a member not in --members"))?;
        p.conn_of_key.push(conn);
        let name = o.map.as_str();
        let bytes = |m: ClientMessage| m.as_bytes().to_vec();
        if uses(Op::Get) {
            p.get.push(bytes(
                MapGetRequest {
                    thread_id: 1,
                    name,
                    key: &key,
                }
                .encode(pid),
            ));
        }
        if uses(Op::Put) {
            p.put.push(bytes(
                MapPutRequest {
                    thread_id: 1,
                    ttl: -1,
                    name,
                    key: &key,
                    value: &value,
                }
                .encode(pid),
            ));
        }
        if uses(Op::Set) {
            p.set.push(bytes(
                MapSetRequest {
                    thread_id: 1,
                    ttl: -1,
                    name,
                    key: &key,
                    value: &value,
                }
                .encode(pid),
            ));
        }
        if uses(Op::Remove) {
            p.remove.push(bytes(
                MapRemoveRequest {
                    thread_id: 1,
                    name,
                    key: &key,
                }
                .encode(pid),
            ));
        }
    }
    Ok(p)
}

struct Shared {
    o: Options,
    prepared: Prepared,
    writers: Vec<Mutex<TcpStream>>,
    /// Send time of each slot, in ns since `epoch`.
    sent_at: Vec<AtomicU64>,
    epoch: Instant,
    window: Window,
}

impl Shared {
    fn now_ns(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    /// Appends the next request of `slot` (correlation id `id`) to the right connection's batch.
    fn issue(&self, chooser: &mut Chooser, slot: usize, id: i64, outs: &mut [Vec<u8>]) {
        let (key, op) = chooser.pick();
        let bytes = self.prepared.bytes(key, op);
        let out = &mut outs[self.prepared.conn_of_key[key]];
        let at = out.len();
        out.extend_from_slice(bytes);
        out[at + CORRELATION_AT..at + CORRELATION_AT + 8].copy_from_slice(&id.to_le_bytes());
        self.sent_at[slot].store(self.now_ns(), Ordering::Relaxed);
    }

    fn flush(&self, outs: &mut [Vec<u8>]) -> Result<(), String> {
        for (i, out) in outs.iter_mut().enumerate() {
            if !out.is_empty() {
                self.writers[i]
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .write_all(out)
                    .map_err(|e| format!("write: {e}"))?;
                out.clear();
            }
        }
        Ok(())
    }
}

#[derive(Default)]
struct Tally {
    ops: u64,
    errors: u64,
}

fn reader(s: &Shared, mut stream: TcpStream, index: usize) -> (Histogram<u64>, Tally) {
    let mut h = report::histogram();
    let mut t = Tally::default();
    let mut chooser = Chooser::new(&s.o, 1000 + index as u64);
    let mut outs: Vec<Vec<u8>> = vec![Vec::with_capacity(64 * 1024); s.writers.len()];
    let mut buf = vec![0u8; 1 << 20];
    let (mut start, mut end) = (0usize, 0usize);
    let c = s.o.concurrency as i64;
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    loop {
        if end == buf.len() {
            buf.copy_within(start..end, 0);
            end -= start;
            start = 0;
            if end == buf.len() {
                buf.resize(buf.len() * 2, 0);
            }
        }
        match stream.read(&mut buf[end..]) {
            Ok(0) => break,
            Ok(n) => end += n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if s.window.done() {
                    break;
                }
                continue;
            }
            Err(_) => break,
        }
        // Cut whole messages by their frame headers.
        while let Some(len) = message_len(&buf[start..end]) {
            let msg = &buf[start..start + len];
            start += len;
            let flags = u16::from_le_bytes([msg[4], msg[5]]);
            if flags & IS_EVENT != 0 {
                continue; // backup events and the like: not ours
            }
            let id = i64::from_le_bytes(
                msg[CORRELATION_AT..CORRELATION_AT + 8]
                    .try_into()
                    .unwrap_or_default(),
            );
            let error = i32::from_le_bytes([msg[6], msg[7], msg[8], msg[9]]) == 0;
            let Ok(slot) = usize::try_from(id % c) else {
                continue;
            };
            let Some(sent) = s.sent_at.get(slot) else { continue };
            let took = s.now_ns().saturating_sub(sent.load(Ordering::Relaxed));
            s.window.completed.fetch_add(1, Ordering::Relaxed);
            if error {
                s.window.failed.fetch_add(1, Ordering::Relaxed);
            }
            if s.window.measuring() {
                let _ = h.record(took);
                t.ops += 1;
                t.errors += u64::from(error);
            }
            if !s.window.done() {
                s.issue(&mut chooser, slot, id + c, &mut outs);
            }
        }
        if start == end {
            start = 0;
            end = 0;
        }
        if s.flush(&mut outs).is_err() {
            break;
        }
    }
    (h, t)
}

/// Length of the first whole message of `b`, if it is all there.
fn message_len(b: &[u8]) -> Option<usize> {
    let mut pos = 0usize;
    loop {
        let header = b.get(pos..pos + FRAME_HEADER)?;
        let len = usize::try_from(i32::from_le_bytes([header[0], header[1], header[2], header[3]])).ok()?;
        let flags = u16::from_le_bytes([header[4], header[5]]);
        if len < FRAME_HEADER || pos + len > b.len() {
            return None;
        }
        pos += len;
        if flags & IS_FINAL != 0 {
            return Some(pos);
        }
    }
}

fn run(o: Options) -> Result<Option<Report>, String> {
    if o.rate > 0.0 {
        return Err("the wire-limit driver runs closed loop only (--rate 0)".into());
    }
    if o.prefill_only {
        return Err("use loadgen --prefill-only to prefill".into());
    }
    if !matches!(
        o.workload,
        Workload::Get | Workload::Put | Workload::Set | Workload::Mix
    ) {
        return Err(format!(
            "the wire-limit driver runs the map workloads of string values only, not {}",
            o.workload.name()
        ));
    }
    // Set-up: one authenticated connection per listed member, the partition table from the first.
    let mut conns = Vec::new();
    let mut members = Vec::new();
    let mut count = 0;
    for addr in &o.members {
        let mut c = Setup::connect(addr)?;
        let auth = c.authenticate(&o.cluster_name)?;
        members.push(auth.member_uuid.unwrap_or_else(Uuid::nil));
        count = auth.partition_count;
        conns.push(c);
    }
    let mut view = Setup::connect(&o.members[0])?;
    view.authenticate(&o.cluster_name)?;
    let owners = partition_owners(&mut view, &o.map, count)?;
    drop(view);
    let idle_rss = sys::current_rss_kb();
    let prepared = prepare(&o, &owners, &members)?;
    let mut readers = Vec::new();
    let mut writers = Vec::new();
    for c in conns {
        if !c.buf.is_empty() {
            return Err("unexpected bytes after authentication".into());
        }
        readers.push(c.stream.try_clone().map_err(|e| e.to_string())?);
        writers.push(Mutex::new(c.stream));
    }
    let s = Arc::new(Shared {
        sent_at: (0..o.concurrency).map(|_| AtomicU64::new(0)).collect(),
        o,
        prepared,
        writers,
        epoch: Instant::now(),
        window: Window::default(),
    });
    let mut report = Report::new("wire", "raw pipelined requests", &s.o);
    report.idle_rss_kb = idle_rss;
    let mut handles = Vec::new();
    for (i, r) in readers.into_iter().enumerate() {
        let s = s.clone();
        handles.push(std::thread::spawn(move || reader(&s, r, i)));
    }
    let progress = {
        let s = s.clone();
        std::thread::spawn(move || report::progress_loop(&s.window, s.o.progress, "wire"))
    };
    // Fill every slot.
    let mut chooser = Chooser::new(&s.o, 999);
    let mut outs = vec![Vec::new(); s.writers.len()];
    let c = s.o.concurrency as i64;
    for slot in 0..s.o.concurrency {
        s.issue(&mut chooser, slot, slot as i64 + c, &mut outs);
    }
    s.flush(&mut outs)?;
    std::thread::sleep(s.o.warmup);
    let from = Edges::now();
    s.window.set(MEASURE);
    std::thread::sleep(s.o.duration);
    s.window.set(DONE);
    let to = Edges::now();
    let mut hist = report::histogram();
    let mut total = Tally::default();
    for hnd in handles {
        if let Ok((h, t)) = hnd.join() {
            let _ = hist.add(&h);
            total.ops += t.ops;
            total.errors += t.errors;
        }
    }
    let _ = progress.join();
    report::finish(&mut report, from, to, total.ops, total.errors);
    report.set_latencies(&hist);
    Ok(Some(report))
}

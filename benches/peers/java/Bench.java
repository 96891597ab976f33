// Peer driver: the official Java client (from the same hazelcast jar as the members), with the
// options and the one-line JSON output of the Rust `loadgen` (benches/src/cli.rs, report.rs).
// Compiled at run time by `cargo xtask bench`: javac -cp hazelcast-<v>.jar Bench.java
//
// Closed loop: a semaphore of C permits; the main thread takes a permit, issues an async call
// (IMap.getAsync / setAsync / putAsync / removeAsync) and the completion, run on the thread
// that completes the future, releases it.
// Open loop: operation i is due at start + i/R; latency runs from that intended time.
// Latencies go into an array, sorted at the end (nearest-rank percentiles).
//
// compact-get / compact-set: IMap<String, Record> of a 10-field Compact record written by a
// registered CompactSerializer under the Rust driver's type name and field kinds.
// queue: IQueue has no async calls, so C threads make blocking calls: even ones offer, odd ones
// poll(1 s). topic: ITopic.publishAsync with the semaphore; one message listener on the same
// client counts the messages received during the measured window.

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import com.hazelcast.topic.ITopic;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

public final class Bench {
    // Options (same names and defaults as the Rust drivers).
    static List<String> members = new ArrayList<>(List.of("127.0.0.1:5701"));
    static String clusterName = "dev", workload = "get", map = "bench";
    static int concurrency = 1, keys = 10_000, valueSize = 100;
    static double rate = 0, warmup = 5, duration = 10, progress = 1;
    static long seed = 42;
    static boolean prefill = false;

    static final java.util.concurrent.Executor DIRECT = Runnable::run;
    static volatile int phase = 0; // 0 warm-up, 1 measure, 2 done
    static final AtomicLong completed = new AtomicLong(), failed = new AtomicLong();
    static long measuredOps = 0, measuredErrors = 0;
    static long[] lat = new long[1 << 20];
    static int latN = 0;
    static final AtomicLong received = new AtomicLong();

    /** The Compact value of the compact workloads: the Rust driver's `workload::Record`. */
    static final class Record {
        long id, balance;
        String name, email, city;
        int age, zip;
        double score;
        boolean active;
        float rating;

        static Record of(int i) {
            Record r = new Record();
            r.id = i;
            r.name = "name-" + i;
            r.email = "user-" + i + "@example.com";
            r.age = i % 100;
            r.score = i * 0.5;
            r.active = i % 2 == 0;
            r.balance = i * 100L;
            r.city = "Lyon";
            r.zip = 69_000 + i % 1000;
            r.rating = i % 5;
            return r;
        }
    }

    /** Writes and reads {@link Record} with the same type name, field names and kinds as serde. */
    static final class RecordSerializer implements CompactSerializer<Record> {
        @Override
        public Record read(CompactReader in) {
            Record r = new Record();
            r.id = in.readInt64("id");
            r.name = in.readString("name");
            r.email = in.readString("email");
            r.age = in.readInt32("age");
            r.score = in.readFloat64("score");
            r.active = in.readBoolean("active");
            r.balance = in.readInt64("balance");
            r.city = in.readString("city");
            r.zip = in.readInt32("zip");
            r.rating = in.readFloat32("rating");
            return r;
        }

        @Override
        public void write(CompactWriter out, Record r) {
            out.writeInt64("id", r.id);
            out.writeString("name", r.name);
            out.writeString("email", r.email);
            out.writeInt32("age", r.age);
            out.writeFloat64("score", r.score);
            out.writeBoolean("active", r.active);
            out.writeInt64("balance", r.balance);
            out.writeString("city", r.city);
            out.writeInt32("zip", r.zip);
            out.writeFloat32("rating", r.rating);
        }

        @Override
        public String getTypeName() {
            return "hazelcast.bench.Record";
        }

        @Override
        public Class<Record> getCompactClass() {
            return Record.class;
        }
    }

    static synchronized void record(long ns, boolean ok) {
        if (latN == lat.length) lat = Arrays.copyOf(lat, lat.length * 2);
        lat[latN++] = ns;
        measuredOps++;
        if (!ok) measuredErrors++;
    }

    static void done(long startNs, Throwable err) {
        long ns = System.nanoTime() - startNs;
        completed.incrementAndGet();
        if (err != null) failed.incrementAndGet();
        if (phase == 1) record(ns, err == null);
    }

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) { v = a.substring(eq + 1); a = a.substring(0, eq); }
            if (!a.equals("--prefill") && v == null) v = args[++i];
            switch (a) {
                case "--members": members = new ArrayList<>(Arrays.asList(v.split(","))); break;
                case "--cluster-name": clusterName = v; break;
                case "--workload": workload = v; break;
                case "--concurrency": concurrency = Integer.parseInt(v); break;
                case "--rate": rate = Double.parseDouble(v); break;
                case "--keys": keys = Integer.parseInt(v); break;
                case "--value-size": valueSize = Integer.parseInt(v); break;
                case "--warmup": warmup = Double.parseDouble(v); break;
                case "--duration": duration = Double.parseDouble(v); break;
                case "--map": map = v; break;
                case "--seed": seed = Long.parseLong(v); break;
                case "--progress": progress = Double.parseDouble(v); break;
                case "--threads": break; // Rust runtime option; the JVM is told its CPUs by flags
                case "--prefill": prefill = true; break;
                default: System.err.println("unknown option " + a); System.exit(2);
            }
        }
        Logger root = Logger.getLogger("");
        root.setLevel(Level.WARNING);
        for (var h : root.getHandlers()) h.setLevel(Level.WARNING);

        ClientConfig cfg = new ClientConfig();
        cfg.setClusterName(clusterName);
        cfg.getNetworkConfig().setAddresses(members);
        cfg.getNetworkConfig().setSmartRouting(true);
        cfg.getMetricsConfig().setEnabled(false);
        cfg.getSerializationConfig().getCompactSerializationConfig().addSerializer(new RecordSerializer());
        HazelcastInstance hz = HazelcastClient.newHazelcastClient(cfg);
        IMap<String, String> m = hz.getMap(map);
        m.get("probe");
        boolean compact = workload.startsWith("compact-");
        IMap<String, Record> records = compact ? hz.getMap(map) : null;
        IQueue<String> queue = workload.equals("queue") ? hz.getQueue(map) : null;
        ITopic<String> topic = workload.equals("topic") ? hz.getTopic(map) : null;
        if (topic != null) topic.addMessageListener(msg -> received.incrementAndGet());
        Thread.sleep(200);
        long idleRss = status("VmRSS:");

        String[] keyNames = new String[keys];
        for (int i = 0; i < keys; i++) keyNames[i] = "k-" + i;
        String value = "x".repeat(valueSize);
        Record record = Record.of(0);
        // Learn the records' schema (written by another client) before the clock starts, as
        // the Rust driver does during its warm-up.
        if (workload.equals("compact-get") && !prefill) records.get(keyNames[0]);
        if (prefill) {
            for (int i = 0; i < keys; i++) {
                if (compact) records.set(keyNames[i], Record.of(i));
                else m.set(keyNames[i], value);
            }
        }

        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Semaphore permits = new Semaphore(concurrency);
        SplittableRandom rnd = new SplittableRandom(seed);
        long warmupNs = (long) (warmup * 1e9), durationNs = (long) (duration * 1e9);
        long t0 = System.nanoTime();
        long[] edges = new long[6]; // start ns, end ns, cpu start, cpu end, received start, end

        Thread timer = new Thread(() -> {
            LockSupport.parkNanos(warmupNs);
            edges[2] = os.getProcessCpuTime();
            edges[0] = System.nanoTime();
            edges[4] = received.get();
            phase = 1;
            LockSupport.parkNanos(durationNs);
            phase = 2;
            edges[1] = System.nanoTime();
            edges[3] = os.getProcessCpuTime();
            edges[5] = received.get();
        });
        timer.setDaemon(true);
        timer.start();
        if (progress > 0) {
            Thread p = new Thread(() -> {
                long last = 0, lastT = System.nanoTime();
                while (phase != 2) {
                    LockSupport.parkNanos((long) (progress * 1e9));
                    long now = System.nanoTime(), c = completed.get();
                    System.err.printf(Locale.ROOT, "[java %5.1fs %s] %9.0f ops/s, %d errors%n",
                            (now - t0) / 1e9, phase == 0 ? "warm-up" : phase == 1 ? "measure" : "stop",
                            (c - last) * 1e9 / (now - lastT), failed.get());
                    last = c;
                    lastT = now;
                }
            });
            p.setDaemon(true);
            p.start();
        }

        List<Thread> queueThreads = new ArrayList<>();
        if (queue != null) {
            for (int t = 0; t < concurrency; t++) {
                boolean offers = t % 2 == 0;
                Thread w = new Thread(() -> {
                    while (phase != 2) {
                        long s = System.nanoTime();
                        Throwable err = null;
                        try {
                            if (offers) {
                                if (!queue.offer(value)) err = new IllegalStateException("offer refused");
                            } else {
                                queue.poll(1, TimeUnit.SECONDS);
                            }
                        } catch (Throwable e) {
                            err = e;
                        }
                        done(s, err);
                    }
                });
                w.start();
                queueThreads.add(w);
            }
        }
        long periodNs = rate > 0 ? (long) (1e9 / rate) : 0;
        long i = 0;
        while (queue == null && phase != 2) {
            long start;
            if (rate > 0) {
                start = t0 + i * periodNs;
                long wait = start - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(wait);
                i++;
                permits.acquire();
            } else {
                permits.acquire();
                start = System.nanoTime();
            }
            String k = keyNames[rnd.nextInt(keys)];
            CompletionStage<?> f;
            switch (workload) {
                case "compact-get": f = records.getAsync(k); break;
                case "compact-set": f = records.setAsync(k, record); break;
                case "topic": f = topic.publishAsync(value); break;
                case "get": f = m.getAsync(k); break;
                case "set": f = m.setAsync(k, value); break;
                case "put": f = m.putAsync(k, value); break;
                default: {
                    int r = rnd.nextInt(10);
                    f = r < 4 ? m.getAsync(k) : r < 8 ? m.setAsync(k, value) : m.removeAsync(k);
                }
            }
            final long s = start;
            // Run the completion on the thread that completes the future: the default executor
            // of Hazelcast's futures (like CompletableFuture's) is thread-per-task when the JVM
            // sees fewer than 3 CPUs.
            f.whenCompleteAsync((res, err) -> {
                done(s, err);
                permits.release();
            }, DIRECT);
        }
        timer.join();
        for (Thread w : queueThreads) w.join();
        permits.tryAcquire(concurrency, 5, TimeUnit.SECONDS);
        long[] sorted;
        long ops, errors;
        synchronized (Bench.class) {
            sorted = Arrays.copyOf(lat, latN);
            ops = measuredOps;
            errors = measuredErrors;
        }
        Arrays.sort(sorted);
        double secs = (edges[1] - edges[0]) / 1e9, cpu = (edges[3] - edges[2]) / 1e9;
        String json = String.format(Locale.ROOT,
                "{\"driver\":\"java\",\"api\":\"%s (Java client %s)\",\"workload\":\"%s\",\"mode\":\"%s\","
                        + "\"concurrency\":%d,\"rate\":%s,\"members\":%d,\"value_size\":%d,\"duration_s\":%.6f,"
                        + "\"ops\":%d,\"errors\":%d,\"throughput\":%.3f,\"p50_us\":%.3f,\"p90_us\":%.3f,"
                        + "\"p99_us\":%.3f,\"p999_us\":%.3f,\"max_us\":%.3f,\"cpu_s\":%.6f,\"cpu_us_per_op\":%.6f,"
                        + "\"idle_rss_kb\":%d,\"max_rss_kb\":%d,\"received\":%d}",
                api(workload), com.hazelcast.instance.BuildInfoProvider.getBuildInfo().getVersion(), workload,
                rate > 0 ? "open" : "closed", concurrency, Double.toString(rate), members.size(), valueSize, secs,
                ops, errors, ops / secs, pct(sorted, 0.5), pct(sorted, 0.9), pct(sorted, 0.99),
                pct(sorted, 0.999), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e3, cpu,
                ops == 0 ? 0 : cpu * 1e6 / ops, idleRss, status("VmHWM:"), edges[5] - edges[4]);
        System.out.println(json);
        System.out.flush();
        hz.shutdown();
        System.exit(0);
    }

    static String api(String workload) {
        switch (workload) {
            case "compact-get": case "compact-set": return "IMap<String, Record> async, Compact with a CompactSerializer";
            case "queue": return "IQueue.offer / poll(1 s) from C threads";
            case "topic": return "ITopic.publishAsync, one MessageListener";
            default: return "IMap async";
        }
    }

    static double pct(long[] sorted, double q) {
        if (sorted.length == 0) return 0;
        int idx = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))] / 1e3;
    }

    static long status(String field) {
        try {
            for (String l : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (l.startsWith(field)) return Long.parseLong(l.substring(field.length()).replace("kB", "").trim());
            }
        } catch (Exception e) {
            // not Linux
        }
        return 0;
    }
}

package it.hz;

import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.crdt.pncounter.PNCounter;
import com.hazelcast.flakeidgen.FlakeIdGenerator;
import com.hazelcast.topic.ITopic;
import com.hazelcast.topic.Message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The official Java client driven line by line, for the Rust client's cross-client tests of the
 * data structures, through the protocol of {@link CommandLoop}. Values are written {@code <kind> <text>}: {@code s} a String as {@code h} and the hex of its UTF-8 bytes,
 * {@code l} a Long, {@code i} an Integer, {@code d} a Double; any other class is reported as
 * {@code x <class name>}.
 *
 * <ul>
 * <li>{@code queue-offer <name> <kind> <value>...}: offers each value, {@code OFFERED <count>}.
 * <li>{@code queue-poll <name> <max> <timeout ms>}: polls (each poll waiting up to the timeout)
 * until {@code max} items or an empty poll, one {@code ITEM <kind> <value>} per item.
 * <li>{@code topic-publish <name> <kind> <value>...}: adds its own listener, publishes each value,
 * waits for them and prints {@code MSG <kind> <value> <publish time ms> <member uuid>} each.
 * <li>{@code flake <name> <count> <threads>}: {@code count} ids from {@code threads} threads,
 * {@code ID <id>} each.
 * <li>{@code pn-add <name> <delta>} / {@code pn-get <name>}: {@code VALUE <value>}.
 * </ul>
 */
public final class StructureClient {

    private static final HexFormat HEX = HexFormat.of();

    private StructureClient() {
    }

    public static void main(String[] args) {
        CommandLoop.serve("StructureClient", args, config -> { }, StructureClient::run);
    }

    private static List<String> run(HazelcastInstance client, String[] w) throws Exception {
        List<String> answer = new ArrayList<>();
        switch (w[0]) {
            case "queue-offer": {
                IQueue<Object> queue = client.getQueue(w[1]);
                int offered = 0;
                for (int i = 3; i < w.length; i++) {
                    if (queue.offer(value(w[2], w[i]))) {
                        offered++;
                    }
                }
                answer.add("OFFERED " + offered);
                break;
            }
            case "queue-poll": {
                IQueue<Object> queue = client.getQueue(w[1]);
                int max = Integer.parseInt(w[2]);
                long timeout = Long.parseLong(w[3]);
                for (int i = 0; i < max; i++) {
                    Object item = queue.poll(timeout, TimeUnit.MILLISECONDS);
                    if (item == null) {
                        break;
                    }
                    answer.add("ITEM " + text(item));
                }
                break;
            }
            case "topic-publish": {
                ITopic<Object> topic = client.getTopic(w[1]);
                LinkedBlockingQueue<Message<Object>> seen = new LinkedBlockingQueue<>();
                UUID registration = topic.addMessageListener(seen::add);
                try {
                    int count = 0;
                    for (int i = 3; i < w.length; i++) {
                        topic.publish(value(w[2], w[i]));
                        count++;
                    }
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    for (int i = 0; i < count; i++) {
                        Message<Object> m = seen.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                        if (m == null) {
                            throw new IllegalStateException("own message " + i + " of " + count + " not received in 30 s");
                        }
                        UUID member = m.getPublishingMember() == null ? null : m.getPublishingMember().getUuid();
                        answer.add("MSG " + text(m.getMessageObject()) + " " + m.getPublishTime() + " " + member);
                    }
                } finally {
                    topic.removeMessageListener(registration);
                }
                break;
            }
            case "flake": {
                FlakeIdGenerator generator = client.getFlakeIdGenerator(w[1]);
                int count = Integer.parseInt(w[2]);
                int threads = Integer.parseInt(w[3]);
                long[] ids = new long[count];
                AtomicReference<Throwable> failure = new AtomicReference<>();
                List<Thread> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    final int first = t;
                    Thread worker = new Thread(() -> {
                        try {
                            for (int i = first; i < count; i += threads) {
                                ids[i] = generator.newId();
                            }
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    });
                    worker.start();
                    workers.add(worker);
                }
                for (Thread worker : workers) {
                    worker.join();
                }
                if (failure.get() != null) {
                    throw new IllegalStateException("newId failed", failure.get());
                }
                for (long id : ids) {
                    answer.add("ID " + id);
                }
                break;
            }
            case "pn-add": {
                PNCounter counter = client.getPNCounter(w[1]);
                answer.add("VALUE " + counter.addAndGet(Long.parseLong(w[2])));
                break;
            }
            case "pn-get": {
                PNCounter counter = client.getPNCounter(w[1]);
                answer.add("VALUE " + counter.get());
                break;
            }
            default:
                throw new IllegalArgumentException("unknown command " + w[0]);
        }
        return answer;
    }

    private static Object value(String kind, String text) {
        switch (kind) {
            case "s":
                return new String(HEX.parseHex(text.substring(1)), StandardCharsets.UTF_8);
            case "l":
                return Long.parseLong(text);
            case "i":
                return Integer.parseInt(text);
            case "d":
                return Double.parseDouble(text);
            default:
                throw new IllegalArgumentException("unknown kind " + kind);
        }
    }

    private static String text(Object value) {
        if (value instanceof String) {
            return "s h" + HEX.formatHex(((String) value).getBytes(StandardCharsets.UTF_8));
        } else if (value instanceof Long) {
            return "l " + value;
        } else if (value instanceof Integer) {
            return "i " + value;
        } else if (value instanceof Double) {
            return "d " + value;
        }
        return "x " + (value == null ? "null" : value.getClass().getName());
    }
}

package it.hz;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.genericrecord.GenericRecord;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The official Java client (from the member jar) driven by commands, for the Rust client's
 * cross-client tests against a real cluster.
 *
 * <p>It speaks the protocol of {@link CommandLoop}; every command is answered by exactly one
 * line (then {@code END}). Map keys are strings. The records are the
 * samples of {@link SerializationProbe}; {@code test.Evolving} is read and written through that
 * probe's {@code EvolvingSerializer}, registered in this client's configuration.
 *
 * <ul>
 *   <li>{@code check <map> <key> <sample>}: reads the value and compares it with the sample
 *       field by field (names, kinds, values, schema id): {@code OK} or {@code FAIL <path>: <difference>}.</li>
 *   <li>{@code put <map> <key> <sample>}: writes the sample: {@code OK}.</li>
 *   <li>{@code fields <map> <key>}: {@code FIELDS <type name> <name>:<kind> ...} of the record read
 *       as a {@code GenericRecord} (fields sorted by name).</li>
 *   <li>{@code kind <map> <key> <field>}: {@code KIND <kind>} ({@code NOT_AVAILABLE} for a field the
 *       record lacks).</li>
 *   <li>{@code string <map> <key> <field>}: {@code STRING <value>} of a string field.</li>
 *   <li>{@code evolving <map> <key>}: the value read into the {@code Evolving} class:
 *       {@code EVOLVING <name>|<age>|<email>}.</li>
 *   <li>{@code put-evolving <map> <key> <name> <age> <email>}: writes an {@code Evolving}: {@code OK}.</li>
 *   <li>{@code order <map> <key>}: the value read into the class {@code it.hz.Order} with the Java
 *       client's reflective Compact serializer (type name: the class name), {@code ORDER <id>|<customer>|<total>|<note>|<quantities>}.</li>
 *   <li>{@code put-order <map> <key> <id> <customer>}: writes an {@code Order} with that id and
 *       customer, a total of 9.5, no note and quantities [1, 2]: {@code OK}.</li>
 * </ul>
 *
 * <p>A command that throws prints {@code ERROR <exception>}.
 */
public final class ClientProbe {

    private ClientProbe() {
    }

    static String run(HazelcastInstance client, Map<String, Object> samples, String[] p) {
        IMap<String, Object> map = client.getMap(p[1]);
        String key = p[2];
        switch (p[0]) {
            case "check": {
                Object expected = samples.get(p[3]);
                if (expected == null) {
                    return "FAIL no such sample " + p[3];
                }
                String diff = SerializationProbe.check(expected, map.get(key));
                return diff == null ? "OK" : "FAIL " + diff;
            }
            case "put": {
                Object value = samples.get(p[3]);
                if (value == null) {
                    return "FAIL no such sample " + p[3];
                }
                map.set(key, value);
                return "OK";
            }
            case "fields": {
                GenericRecord r = record(map.get(key));
                StringBuilder sb = new StringBuilder("FIELDS ");
                sb.append(type(r));
                for (String f : new TreeSet<>(r.getFieldNames())) {
                    sb.append(' ').append(f).append(':').append(r.getFieldKind(f));
                }
                return sb.toString();
            }
            case "kind": {
                FieldKind kind = record(map.get(key)).getFieldKind(p[3]);
                return "KIND " + kind;
            }
            case "string":
                return "STRING " + record(map.get(key)).getString(p[3]);
            case "evolving": {
                Object v = map.get(key);
                if (!(v instanceof SerializationProbe.Evolving)) {
                    return "FAIL read a " + (v == null ? "null" : v.getClass().getName());
                }
                return "EVOLVING " + v;
            }
            case "order": {
                Object v = map.get(key);
                if (!(v instanceof Order)) {
                    return "FAIL read a " + (v == null ? "null" : v.getClass().getName());
                }
                return "ORDER " + v;
            }
            case "put-order": {
                Order order = new Order();
                order.id = Long.parseLong(p[3]);
                order.customer = p[4];
                order.total = 9.5;
                order.quantities = new int[] {1, 2};
                map.set(key, order);
                return "OK";
            }
            case "put-evolving":
                map.set(key, new SerializationProbe.Evolving(p[3], Integer.parseInt(p[4]), p[5]));
                return "OK";
            default:
                return "ERROR unknown command " + p[0];
        }
    }

    static GenericRecord record(Object v) {
        if (!(v instanceof GenericRecord)) {
            throw new IllegalStateException("read a " + (v == null ? "null" : v.getClass().getName()));
        }
        return (GenericRecord) v;
    }

    static String type(GenericRecord r) {
        if (r instanceof com.hazelcast.internal.serialization.impl.compact.CompactGenericRecord) {
            return ((com.hazelcast.internal.serialization.impl.compact.CompactGenericRecord) r)
                    .getSchema().getTypeName();
        }
        return r.getClass().getName();
    }

    public static void main(String[] args) {
        Map<String, Object> samples = SerializationProbe.samples();
        CommandLoop.serve(
                "ClientProbe",
                args,
                config -> config.getSerializationConfig().getCompactSerializationConfig()
                        .addSerializer(new SerializationProbe.EvolvingSerializer()),
                (client, words) -> List.of(answer(client, samples, words)));
    }

    /** The one answer line to a command; a command that throws answers {@code ERROR <exception>}. */
    static String answer(HazelcastInstance client, Map<String, Object> samples, String[] p) {
        try {
            return p.length < 3 ? "ERROR short command: " + String.join(" ", p) : run(client, samples, p);
        } catch (Exception e) {
            return "ERROR " + e.toString().replace('\n', ' ');
        }
    }
}

/**
 * A plain class serialized by the Java client's reflective Compact serializer: its type name is the
 * class name {@code it.hz.Order}, its fields are the class's fields; a field the record lacks keeps
 * the value the constructor gave it.
 */
final class Order {
    long id;
    String customer;
    double total = -1;
    String note;
    int[] quantities;

    Order() {
    }

    @Override
    public String toString() {
        return id + "|" + customer + "|" + total + "|" + note + "|" + java.util.Arrays.toString(quantities);
    }
}

package it.hz;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.core.HazelcastJsonValue;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.internal.serialization.impl.HeapData;
import com.hazelcast.internal.serialization.impl.compact.CompactGenericRecord;
import com.hazelcast.internal.serialization.impl.compact.FieldDescriptor;
import com.hazelcast.internal.serialization.impl.compact.Schema;
import com.hazelcast.internal.serialization.impl.compact.SchemaService;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.FieldKind;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import com.hazelcast.nio.serialization.compact.CompactReader;
import com.hazelcast.nio.serialization.compact.CompactSerializer;
import com.hazelcast.nio.serialization.compact.CompactWriter;
import com.hazelcast.nio.serialization.genericrecord.GenericRecord;
import com.hazelcast.nio.serialization.genericrecord.GenericRecordBuilder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cross-checks the Rust client's serialization against the Java implementation in the member
 * jar, without a cluster.
 *
 * <p>{@code write}: prints {@code <sample> <schema id> <hex of the Data>} for every sample (the
 * schema id is 0 for samples that are not Compact). {@code read}: reads lines
 * {@code <sample> <hex>} from stdin, deserializes each and compares it field by field with the
 * sample, printing {@code OK <sample>} or {@code FAIL <sample>: <difference>}; lines
 * {@code schema <hex type name> <hex field name>:<kind id>...} add a schema first (as the
 * cluster would have it from the writer) and print {@code SCHEMA <hex type name> <schema id>}.
 */
public final class SerializationProbe {

    static final int FACTORY_ID = 66;

    private SerializationProbe() {
    }

    /** The schemas this process knows, as a client's schema service would keep them. */
    static final class LocalSchemaService implements SchemaService {
        private final Map<Long, Schema> schemas = new ConcurrentHashMap<>();

        @Override
        public Schema get(long schemaId) {
            return schemas.get(schemaId);
        }

        @Override
        public void put(Schema schema) {
            schemas.putIfAbsent(schema.getSchemaId(), schema);
        }

        @Override
        public void putLocal(Schema schema) {
            put(schema);
        }
    }

    /** An IdentifiedDataSerializable leaf object (class 8). */
    public static final class Leaf implements IdentifiedDataSerializable {
        int value;

        public Leaf() {
        }

        Leaf(int value) {
            this.value = value;
        }

        @Override
        public int getFactoryId() {
            return FACTORY_ID;
        }

        @Override
        public int getClassId() {
            return 8;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeInt(value);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            value = in.readInt();
        }
    }

    /** An IdentifiedDataSerializable object with every kind of field (class 7). */
    public static final class Sample implements IdentifiedDataSerializable {
        int i;
        long l;
        String s;
        String nul;
        boolean b;
        byte[] bytes;
        double d;
        int[] ints;
        Object o1;
        Object o2;
        Object o3;
        Object leaf;
        short sh;
        char c;
        float f;
        String[] strs;

        public Sample() {
        }

        static Sample expected() {
            Sample x = new Sample();
            x.i = 42;
            x.l = -7L;
            x.s = "ids \u2713";
            x.nul = null;
            x.b = true;
            x.bytes = new byte[] {1, 2, 3};
            x.d = 0.25;
            x.ints = new int[] {1, -1};
            x.o1 = 5;
            x.o2 = "obj";
            x.o3 = null;
            x.leaf = new Leaf(9);
            x.sh = -3;
            x.c = '\u00e9';
            x.f = 1.5f;
            x.strs = new String[] {"a", null};
            return x;
        }

        @Override
        public int getFactoryId() {
            return FACTORY_ID;
        }

        @Override
        public int getClassId() {
            return 7;
        }

        @Override
        public void writeData(ObjectDataOutput out) throws IOException {
            out.writeInt(i);
            out.writeLong(l);
            out.writeString(s);
            out.writeString(nul);
            out.writeBoolean(b);
            out.writeByteArray(bytes);
            out.writeDouble(d);
            out.writeIntArray(ints);
            out.writeObject(o1);
            out.writeObject(o2);
            out.writeObject(o3);
            out.writeObject(leaf);
            out.writeShort(sh);
            out.writeChar(c);
            out.writeFloat(f);
            out.writeStringArray(strs);
        }

        @Override
        public void readData(ObjectDataInput in) throws IOException {
            i = in.readInt();
            l = in.readLong();
            s = in.readString();
            nul = in.readString();
            b = in.readBoolean();
            bytes = in.readByteArray();
            d = in.readDouble();
            ints = in.readIntArray();
            o1 = in.readObject();
            o2 = in.readObject();
            o3 = in.readObject();
            leaf = in.readObject();
            sh = in.readShort();
            c = in.readChar();
            f = in.readFloat();
            strs = in.readStringArray();
        }

        String describe() {
            return i + "|" + l + "|" + s + "|" + nul + "|" + b + "|" + Arrays.toString(bytes) + "|" + d + "|"
                    + Arrays.toString(ints) + "|" + o1 + "|" + o2 + "|" + o3 + "|"
                    + (leaf instanceof Leaf ? "Leaf(" + ((Leaf) leaf).value + ")" : String.valueOf(leaf)) + "|"
                    + sh + "|" + (int) c + "|" + f + "|" + Arrays.toString(strs);
        }
    }

    /** A class read with an explicit serializer that tolerates a missing field (evolution). */
    public static final class Evolving {
        final String name;
        final int age;
        final String email;

        Evolving(String name, int age, String email) {
            this.name = name;
            this.age = age;
            this.email = email;
        }

        @Override
        public String toString() {
            return name + "|" + age + "|" + email;
        }
    }

    static final class EvolvingSerializer implements CompactSerializer<Evolving> {
        @Override
        public Evolving read(CompactReader reader) {
            String email = reader.getFieldKind("email") == FieldKind.STRING ? reader.readString("email") : "unknown";
            return new Evolving(reader.readString("name"), reader.readInt32("age"), email);
        }

        @Override
        public void write(CompactWriter writer, Evolving v) {
            writer.writeString("name", v.name);
            writer.writeInt32("age", v.age);
            writer.writeString("email", v.email);
        }

        @Override
        public String getTypeName() {
            return "test.Evolving";
        }

        @Override
        public Class<Evolving> getCompactClass() {
            return Evolving.class;
        }
    }

    static InternalSerializationService service(SchemaService schemas) {
        SerializationConfig config = new SerializationConfig();
        config.addDataSerializableFactory(FACTORY_ID, id -> id == 7 ? new Sample() : id == 8 ? new Leaf(0) : null);
        config.getCompactSerializationConfig().addSerializer(new EvolvingSerializer());
        return new DefaultSerializationServiceBuilder()
                .setConfig(config)
                .setSchemaService(schemas)
                .build();
    }

    static GenericRecord inner(String label) {
        return GenericRecordBuilder.compact("test.Inner").setString("label", label).setFloat64("weight", 1.5).build();
    }

    static LocalDateTime ldt(int hour) {
        return LocalDateTime.of(2024, 2, 29, hour, 30, 0, 123_000_000);
    }

    static String repeat(String s, int n) {
        return s.repeat(n);
    }

    /** Every sample, by name. */
    static Map<String, Object> samples() {
        Map<String, Object> m = new LinkedHashMap<>();
        GenericRecordBuilder fixed = GenericRecordBuilder.compact("test.Fixed");
        for (int i = 0; i < 10; i++) {
            fixed.setBoolean("b" + i, i % 3 == 0);
        }
        m.put("fixed", fixed.setInt8("i8", (byte) -8).setInt16("i16", (short) -1600).setInt32("i32", 32_000_000)
                .setInt64("i64", -64_000_000_000L).setFloat32("f32", 3.25f).setFloat64("f64", -6.5e100).build());
        m.put("all", GenericRecordBuilder.compact("test.All")
                .setBoolean("boolean", true)
                .setInt8("int8", (byte) -8)
                .setInt16("int16", (short) -1600)
                .setInt32("int32", 32_000_000)
                .setInt64("int64", -64_000_000_000L)
                .setFloat32("float32", 3.25f)
                .setFloat64("float64", -6.5e100)
                .setString("string", "h\u00e9llo \u2713")
                .setDecimal("decimal", new BigDecimal("-12345678901234567890.0042"))
                .setTime("time", LocalTime.of(23, 59, 58, 999_999_999))
                .setDate("date", LocalDate.of(-44, 3, 15))
                .setTimestamp("timestamp", ldt(1))
                .setTimestampWithTimezone("timestampTz", OffsetDateTime.of(ldt(2), ZoneOffset.ofTotalSeconds(-18000)))
                .setGenericRecord("compact", inner("in"))
                .setString("nullString", null)
                .setDecimal("nullDecimal", null)
                .setTime("nullTime", null)
                .setDate("nullDate", null)
                .setTimestamp("nullTimestamp", null)
                .setTimestampWithTimezone("nullTimestampTz", null)
                .setGenericRecord("nullCompact", null)
                .setNullableBoolean("nullableBoolean", false)
                .setNullableInt8("nullableInt8", null)
                .setNullableInt16("nullableInt16", (short) 7)
                .setNullableInt32("nullableInt32", null)
                .setNullableInt64("nullableInt64", -1L)
                .setNullableFloat32("nullableFloat32", null)
                .setNullableFloat64("nullableFloat64", 2.0)
                .setArrayOfBoolean("booleans", new boolean[] {true, false, true, true, false, false, true, false, true})
                .setArrayOfInt8("int8s", new byte[] {0, 1, -1})
                .setArrayOfInt16("int16s", new short[] {1, -2})
                .setArrayOfInt32("int32s", new int[] {1, 2, 3})
                .setArrayOfInt64("int64s", new long[] {Long.MIN_VALUE, Long.MAX_VALUE})
                .setArrayOfFloat32("float32s", new float[] {0.5f})
                .setArrayOfFloat64("float64s", new double[] {})
                .setArrayOfString("strings", new String[] {"a", "", null})
                .setArrayOfDecimal("decimals", new BigDecimal[] {BigDecimal.ONE, new BigDecimal(BigInteger.valueOf(-5), 3), null})
                .setArrayOfTime("times", new LocalTime[] {LocalTime.of(0, 0)})
                .setArrayOfDate("dates", new LocalDate[] {LocalDate.of(2000, 1, 1), null})
                .setArrayOfTimestamp("timestamps", new LocalDateTime[] {ldt(3)})
                .setArrayOfTimestampWithTimezone("timestampTzs",
                        new OffsetDateTime[] {OffsetDateTime.of(ldt(4), ZoneOffset.ofTotalSeconds(3600))})
                .setArrayOfGenericRecord("compacts", new GenericRecord[] {inner("x"), null, inner("y")})
                .setArrayOfNullableBoolean("nullableBooleans", new Boolean[] {true, null, false})
                .setArrayOfNullableInt8("nullableInt8s", new Byte[] {1, null})
                .setArrayOfNullableInt16("nullableInt16s", new Short[] {null})
                .setArrayOfNullableInt32("nullableInt32s", new Integer[] {null, 4})
                .setArrayOfNullableInt64("nullableInt64s", new Long[] {5L})
                .setArrayOfNullableFloat32("nullableFloat32s", new Float[] {1.5f, null})
                .setArrayOfNullableFloat64("nullableFloat64s", new Double[] {1.0, null})
                .setArrayOfInt32("nullArray", null)
                .setArrayOfGenericRecord("nullCompacts", null)
                .build());
        m.put("nested", GenericRecordBuilder.compact("test.Outer")
                .setString("name", "outer")
                .setGenericRecord("inner", inner("a"))
                .setArrayOfGenericRecord("inners", new GenericRecord[] {inner("b"), null})
                .setGenericRecord("deep", GenericRecordBuilder.compact("test.Deep")
                        .setGenericRecord("inner", inner("c")).setInt32("level", 2).build())
                .build());
        m.put("offsets-short", offsets(repeat("x", 300), repeat("y", 10), null));
        m.put("offsets-int", offsets(repeat("z", 70_000), "w", "vvv"));
        m.put("offsets-array-short", GenericRecordBuilder.compact("test.OffsetArray")
                .setArrayOfString("items", new String[] {repeat("p", 200), null, repeat("q", 100)}).build());
        m.put("offsets-array-int", GenericRecordBuilder.compact("test.OffsetArray")
                .setArrayOfString("items", new String[] {repeat("r", 70_000), "s"}).build());
        m.put("empty", GenericRecordBuilder.compact("test.Empty").build());
        m.put("unicode", GenericRecordBuilder.compact("test.Unicode")
                .setInt32("\uFF21", 1)
                .setInt32("\uD835\uDCB3", 2)
                .setInt32("\u00e9", 3)
                .setInt32("a", 4)
                .setString("\u00e9t\u00e9", "summer")
                .build());
        m.put("person-v1", GenericRecordBuilder.compact("test.Person").setString("name", "Bob").setInt32("age", 7).build());
        m.put("person-v2", GenericRecordBuilder.compact("test.Person").setString("name", "Ada").setInt32("age", 36)
                .setString("email", "ada@example.com").build());
        m.put("evolving-v2", new Evolving("Eve", 30, "eve@example.com"));
        m.put("evolving-v1", new Evolving("Eve", 30, "unknown"));
        m.put("ids", Sample.expected());
        m.put("json", new HazelcastJsonValue("{\"a\":[1,2],\"b\":\"x\"}"));
        return m;
    }

    static GenericRecord offsets(String a, String b, String c) {
        return GenericRecordBuilder.compact("test.Offsets").setString("a", a).setString("b", b).setString("c", c).build();
    }

    static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length * 2);
        for (byte x : bytes) {
            sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return sb.toString();
    }

    static byte[] unhex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    static String utf8(String hex) {
        return new String(unhex(hex), StandardCharsets.UTF_8);
    }

    static Object field(GenericRecord r, String f, FieldKind k) {
        switch (k) {
            case BOOLEAN: return r.getBoolean(f);
            case INT8: return r.getInt8(f);
            case INT16: return r.getInt16(f);
            case INT32: return r.getInt32(f);
            case INT64: return r.getInt64(f);
            case FLOAT32: return r.getFloat32(f);
            case FLOAT64: return r.getFloat64(f);
            case STRING: return r.getString(f);
            case DECIMAL: return r.getDecimal(f);
            case TIME: return r.getTime(f);
            case DATE: return r.getDate(f);
            case TIMESTAMP: return r.getTimestamp(f);
            case TIMESTAMP_WITH_TIMEZONE: return r.getTimestampWithTimezone(f);
            case COMPACT: return r.getGenericRecord(f);
            case ARRAY_OF_BOOLEAN: return r.getArrayOfBoolean(f);
            case ARRAY_OF_INT8: return r.getArrayOfInt8(f);
            case ARRAY_OF_INT16: return r.getArrayOfInt16(f);
            case ARRAY_OF_INT32: return r.getArrayOfInt32(f);
            case ARRAY_OF_INT64: return r.getArrayOfInt64(f);
            case ARRAY_OF_FLOAT32: return r.getArrayOfFloat32(f);
            case ARRAY_OF_FLOAT64: return r.getArrayOfFloat64(f);
            case ARRAY_OF_STRING: return r.getArrayOfString(f);
            case ARRAY_OF_DECIMAL: return r.getArrayOfDecimal(f);
            case ARRAY_OF_TIME: return r.getArrayOfTime(f);
            case ARRAY_OF_DATE: return r.getArrayOfDate(f);
            case ARRAY_OF_TIMESTAMP: return r.getArrayOfTimestamp(f);
            case ARRAY_OF_TIMESTAMP_WITH_TIMEZONE: return r.getArrayOfTimestampWithTimezone(f);
            case ARRAY_OF_COMPACT: return r.getArrayOfGenericRecord(f);
            case NULLABLE_BOOLEAN: return r.getNullableBoolean(f);
            case NULLABLE_INT8: return r.getNullableInt8(f);
            case NULLABLE_INT16: return r.getNullableInt16(f);
            case NULLABLE_INT32: return r.getNullableInt32(f);
            case NULLABLE_INT64: return r.getNullableInt64(f);
            case NULLABLE_FLOAT32: return r.getNullableFloat32(f);
            case NULLABLE_FLOAT64: return r.getNullableFloat64(f);
            case ARRAY_OF_NULLABLE_BOOLEAN: return r.getArrayOfNullableBoolean(f);
            case ARRAY_OF_NULLABLE_INT8: return r.getArrayOfNullableInt8(f);
            case ARRAY_OF_NULLABLE_INT16: return r.getArrayOfNullableInt16(f);
            case ARRAY_OF_NULLABLE_INT32: return r.getArrayOfNullableInt32(f);
            case ARRAY_OF_NULLABLE_INT64: return r.getArrayOfNullableInt64(f);
            case ARRAY_OF_NULLABLE_FLOAT32: return r.getArrayOfNullableFloat32(f);
            case ARRAY_OF_NULLABLE_FLOAT64: return r.getArrayOfNullableFloat64(f);
            default: throw new IllegalArgumentException("kind " + k);
        }
    }

    static String show(Object o) {
        if (o instanceof Object[]) {
            return Arrays.deepToString((Object[]) o);
        }
        if (o != null && o.getClass().isArray()) {
            return Arrays.deepToString(new Object[] {o});
        }
        return String.valueOf(o);
    }

    /** The first difference between two records, or null. */
    static String compare(String path, GenericRecord e, GenericRecord a) {
        if (e == null || a == null) {
            return e == a ? null : path + ": expected " + e + ", actual " + a;
        }
        if (!e.getFieldNames().equals(a.getFieldNames())) {
            return path + ": fields " + new TreeSet<>(e.getFieldNames()) + " vs " + new TreeSet<>(a.getFieldNames());
        }
        if (e instanceof CompactGenericRecord && a instanceof CompactGenericRecord) {
            Schema es = ((CompactGenericRecord) e).getSchema();
            Schema as = ((CompactGenericRecord) a).getSchema();
            if (!es.getTypeName().equals(as.getTypeName()) || es.getSchemaId() != as.getSchemaId()) {
                return path + ": schema " + es + " vs " + as;
            }
        }
        for (String f : new TreeSet<>(e.getFieldNames())) {
            FieldKind k = e.getFieldKind(f);
            if (a.getFieldKind(f) != k) {
                return path + "." + f + ": kind " + k + " vs " + a.getFieldKind(f);
            }
            Object ev = field(e, f, k);
            Object av = field(a, f, k);
            if (k == FieldKind.COMPACT) {
                String d = compare(path + "." + f, (GenericRecord) ev, (GenericRecord) av);
                if (d != null) {
                    return d;
                }
            } else if (k == FieldKind.ARRAY_OF_COMPACT) {
                GenericRecord[] ea = (GenericRecord[]) ev;
                GenericRecord[] aa = (GenericRecord[]) av;
                if (ea == null || aa == null || ea.length != aa.length) {
                    if (ea != aa) {
                        return path + "." + f + ": arrays " + show(ea) + " vs " + show(aa);
                    }
                    continue;
                }
                for (int i = 0; i < ea.length; i++) {
                    String d = compare(path + "." + f + "[" + i + "]", ea[i], aa[i]);
                    if (d != null) {
                        return d;
                    }
                }
            } else if (!Objects.deepEquals(ev, av)) {
                return path + "." + f + ": expected " + show(ev) + ", actual " + show(av);
            }
        }
        return null;
    }

    static String check(Object expected, Object actual) {
        if (expected instanceof GenericRecord) {
            if (!(actual instanceof GenericRecord)) {
                return "read a " + (actual == null ? "null" : actual.getClass().getName());
            }
            return compare("", (GenericRecord) expected, (GenericRecord) actual);
        }
        if (expected instanceof Sample) {
            String e = ((Sample) expected).describe();
            String a = actual instanceof Sample ? ((Sample) actual).describe() : String.valueOf(actual);
            return e.equals(a) ? null : "expected " + e + ", actual " + a;
        }
        return Objects.equals(String.valueOf(expected), String.valueOf(actual))
                ? null
                : "expected " + expected + ", actual " + actual;
    }

    public static void main(String[] args) throws Exception {
        LocalSchemaService schemas = new LocalSchemaService();
        InternalSerializationService ss = service(schemas);
        Map<String, Object> samples = samples();
        if (args.length == 1 && args[0].equals("write")) {
            for (Map.Entry<String, Object> s : samples.entrySet()) {
                if (s.getKey().equals("evolving-v1")) {
                    continue;
                }
                Data data = ss.toData(s.getValue());
                long schemaId = s.getValue() instanceof CompactGenericRecord
                        ? ((CompactGenericRecord) s.getValue()).getSchema().getSchemaId()
                        : 0;
                System.out.println(s.getKey() + " " + schemaId + " " + hex(data.toByteArray()));
            }
            return;
        }
        if (args.length == 1 && args[0].equals("read")) {
            // The schemas of the expected records are known, as on a client that wrote them.
            for (Object v : samples.values()) {
                ss.toData(v);
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.trim().split(" ");
                if (parts[0].equals("schema")) {
                    // schema <hex type name> <hex field name>:<kind id> ...
                    List<FieldDescriptor> fields = new ArrayList<>();
                    for (int i = 2; i < parts.length; i++) {
                        String[] f = parts[i].split(":");
                        fields.add(new FieldDescriptor(utf8(f[0]), FieldKind.get(Integer.parseInt(f[1]))));
                    }
                    Schema schema = new Schema(utf8(parts[1]), fields);
                    schemas.put(schema);
                    System.out.println("SCHEMA " + parts[1] + " " + schema.getSchemaId());
                    continue;
                }
                String name = parts[0];
                String diff;
                try {
                    Object actual = ss.toObject(new HeapData(unhex(parts[1])));
                    diff = samples.containsKey(name) ? check(samples.get(name), actual) : "no such sample";
                } catch (Exception e) {
                    diff = e.toString();
                }
                System.out.println(diff == null ? "OK " + name : "FAIL " + name + ": " + diff);
            }
            return;
        }
        System.err.println("usage: SerializationProbe write|read");
        System.exit(2);
    }
}

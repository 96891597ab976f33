//! Arbitrary bytes read as user-type data: as a Compact record (with a known schema id in front
//! when the first byte's top bit is set, so that the record parsing is reached) through the
//! generic reader, a serde struct of every kind and a self-describing serde value; as
//! IdentifiedDataSerializable data through a factory; as a JSON value. Nothing may panic, and a
//! record that reads and writes again must read back to the same record.
#![no_main]

use std::sync::OnceLock;

use hazelcast_codec::Data;
use hazelcast_serialization::{
    Date, Decimal, FieldValue, GenericRecord, IdentifiedDataSerializable, Json, ObjectDataInput,
    ObjectDataOutput, SerializationError, SerializationService, Time, Timestamp, TimestampWithTimezone,
};
use libfuzzer_sys::fuzz_target;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename = "fuzz.Inner")]
struct Inner {
    label: Option<String>,
    weight: f64,
    next: Option<Box<Inner>>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename = "fuzz.Target")]
struct Target {
    flag: bool,
    tiny: i8,
    short: i16,
    int: i32,
    long: i64,
    float: f32,
    double: f64,
    text: String,
    decimal: Decimal,
    time: Time,
    date: Date,
    timestamp: Timestamp,
    timestamp_tz: TimestampWithTimezone,
    inner: Inner,
    flags: Vec<bool>,
    bytes: Vec<u8>,
    longs: Vec<i64>,
    texts: Vec<Option<String>>,
    dates: Vec<Option<Date>>,
    inners: Vec<Option<Inner>>,
    maybe: Option<i32>,
    sparse: Vec<Option<f32>>,
}

/// Reads every kind of field and nested objects.
#[derive(Debug, Default)]
struct Reader;

impl IdentifiedDataSerializable for Reader {
    fn factory_id(&self) -> i32 {
        1
    }
    fn class_id(&self) -> i32 {
        1
    }
    fn write_data(&self, _out: &mut ObjectDataOutput) -> Result<(), SerializationError> {
        Ok(())
    }
    fn read_data(&mut self, input: &mut ObjectDataInput<'_>) -> Result<(), SerializationError> {
        input.read_bool()?;
        input.read_i16()?;
        input.read_string()?;
        input.read_byte_array()?;
        input.read_i32_array()?;
        input.read_f64_array()?;
        input.read_string_array()?;
        while input.remaining() > 0 {
            input.read_object()?;
        }
        Ok(())
    }
}

fn service() -> &'static (SerializationService, Vec<i64>) {
    static SERVICE: OnceLock<(SerializationService, Vec<i64>)> = OnceLock::new();
    SERVICE.get_or_init(|| {
        let service = SerializationService::builder()
            .data_serializable_factory(1, |_| -> Option<Box<dyn IdentifiedDataSerializable>> {
                Some(Box::new(Reader))
            })
            .build();
        service.schema_of::<Target>().expect("traceable");
        let _ = service.compact_to_data(&sample());
        let all = GenericRecord::builder("fuzz.Generic")
            .field("n", FieldValue::NullableInt64(None))
            .field("c", FieldValue::Compact(None))
            .field("cs", FieldValue::ArrayOfCompact(None))
            .field("ds", FieldValue::ArrayOfDecimal(None))
            .field("bs", FieldValue::ArrayOfNullableBoolean(None))
            .field("b", true)
            .build()
            .expect("valid record");
        let _ = service.generic_record_to_data(&all);
        let mut ids: Vec<i64> = service.schemas().all().iter().map(|s| s.id()).collect();
        ids.sort_unstable();
        (service, ids)
    })
}

fn sample() -> Target {
    let date = Date::new(2000, 1, 1).expect("valid");
    let time = Time::new(0, 0, 0, 0).expect("valid");
    Target {
        flag: true,
        tiny: 1,
        short: 2,
        int: 3,
        long: 4,
        float: 5.0,
        double: 6.0,
        text: "t".into(),
        decimal: Decimal::new(7, 1),
        time,
        date,
        timestamp: Timestamp::new(date, time),
        timestamp_tz: TimestampWithTimezone::new(Timestamp::new(date, time), 60).expect("valid"),
        inner: Inner { label: None, weight: 1.0, next: None },
        flags: vec![true],
        bytes: vec![1],
        longs: vec![2],
        texts: vec![None],
        dates: vec![Some(date)],
        inners: vec![None],
        maybe: Some(8),
        sparse: vec![None, Some(1.0)],
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (service, ids) = service();
    let mut payload = Vec::with_capacity(rest.len() + 8);
    if selector & 0x80 != 0 && !ids.is_empty() {
        payload.extend_from_slice(&ids[usize::from(selector & 0x7f) % ids.len()].to_be_bytes());
    }
    payload.extend_from_slice(rest);
    let compact = Data::build(-55, payload.len(), |b| b.extend_from_slice(&payload));
    if let Ok(record) = service.generic_record_from_data(&compact) {
        // Writing may refuse what reading accepts (items of one array with different schemas).
        if let Ok(written) = service.generic_record_to_data(&record) {
            let again = service.generic_record_from_data(&written).expect("a written record reads back");
            assert_eq!(format!("{again:?}"), format!("{record:?}"));
        }
    }
    let _ = service.schemas_in(&compact);
    let _ = service.compact_from_data::<Target>(&compact);
    let _ = service.compact_from_data::<serde_json::Value>(&compact);
    let ids_data = Data::build(-2, rest.len(), |b| b.extend_from_slice(rest));
    let _ = service.ids_from_data(&ids_data);
    let json = Data::build(-130, rest.len(), |b| b.extend_from_slice(rest));
    let _ = Json::<serde_json::Value>::from_data(&json);
});

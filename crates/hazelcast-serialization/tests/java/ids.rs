//! The Java probe's IdentifiedDataSerializable classes, field for field.

use hazelcast_serialization::{
    IdentifiedDataSerializable, ObjectDataInput, ObjectDataOutput, ObjectValue, SerializationError,
};

pub(crate) const IDS_FACTORY: i32 = 66;

#[derive(Debug, Default, PartialEq)]
pub(crate) struct Leaf {
    pub(crate) value: i32,
}

impl IdentifiedDataSerializable for Leaf {
    fn factory_id(&self) -> i32 {
        IDS_FACTORY
    }
    fn class_id(&self) -> i32 {
        8
    }
    fn write_data(&self, out: &mut ObjectDataOutput) -> Result<(), SerializationError> {
        out.write_i32(self.value);
        Ok(())
    }
    fn read_data(&mut self, input: &mut ObjectDataInput<'_>) -> Result<(), SerializationError> {
        self.value = input.read_i32()?;
        Ok(())
    }
}

/// The Java probe's `Sample`, field for field.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Sample {
    pub(crate) i: i32,
    pub(crate) l: i64,
    pub(crate) s: Option<String>,
    pub(crate) nul: Option<String>,
    pub(crate) b: bool,
    pub(crate) bytes: Option<Vec<u8>>,
    pub(crate) d: f64,
    pub(crate) ints: Option<Vec<i32>>,
    pub(crate) o1: i32,
    pub(crate) o2: String,
    pub(crate) leaf: i32,
    pub(crate) sh: i16,
    pub(crate) c: u16,
    pub(crate) f: f32,
    pub(crate) strs: Option<Vec<Option<String>>>,
}

pub(crate) fn ids_sample() -> Sample {
    Sample {
        i: 42,
        l: -7,
        s: Some("ids ✓".into()),
        nul: None,
        b: true,
        bytes: Some(vec![1, 2, 3]),
        d: 0.25,
        ints: Some(vec![1, -1]),
        o1: 5,
        o2: "obj".into(),
        leaf: 9,
        sh: -3,
        c: 0xe9,
        f: 1.5,
        strs: Some(vec![Some("a".into()), None]),
    }
}

impl IdentifiedDataSerializable for Sample {
    fn factory_id(&self) -> i32 {
        IDS_FACTORY
    }
    fn class_id(&self) -> i32 {
        7
    }
    fn write_data(&self, out: &mut ObjectDataOutput) -> Result<(), SerializationError> {
        out.write_i32(self.i);
        out.write_i64(self.l);
        out.write_string(self.s.as_deref())?;
        out.write_string(self.nul.as_deref())?;
        out.write_bool(self.b);
        out.write_byte_array(self.bytes.as_deref())?;
        out.write_f64(self.d);
        out.write_i32_array(self.ints.as_deref())?;
        out.write_object(&ObjectValue::Int(self.o1))?;
        out.write_object(&ObjectValue::String(self.o2.clone()))?;
        out.write_object(&ObjectValue::Null)?;
        out.write_ids_object(&Leaf { value: self.leaf })?;
        out.write_i16(self.sh);
        out.write_char(self.c);
        out.write_f32(self.f);
        out.write_string_array(self.strs.as_deref())
    }
    fn read_data(&mut self, input: &mut ObjectDataInput<'_>) -> Result<(), SerializationError> {
        self.i = input.read_i32()?;
        self.l = input.read_i64()?;
        self.s = input.read_string()?;
        self.nul = input.read_string()?;
        self.b = input.read_bool()?;
        self.bytes = input.read_byte_array()?;
        self.d = input.read_f64()?;
        self.ints = input.read_i32_array()?;
        let ObjectValue::Int(o1) = input.read_object()? else {
            return Err(SerializationError::InvalidValue { what: "o1" });
        };
        let ObjectValue::String(o2) = input.read_object()? else {
            return Err(SerializationError::InvalidValue { what: "o2" });
        };
        let ObjectValue::Null = input.read_object()? else {
            return Err(SerializationError::InvalidValue { what: "o3" });
        };
        let ObjectValue::Ids(leaf) = input.read_object()? else {
            return Err(SerializationError::InvalidValue { what: "leaf" });
        };
        let leaf: Box<dyn std::any::Any> = leaf;
        let leaf = leaf
            .downcast::<Leaf>()
            .map_err(|_| SerializationError::InvalidValue { what: "leaf" })?;
        (self.o1, self.o2, self.leaf) = (o1, o2, leaf.value);
        self.sh = input.read_i16()?;
        self.c = input.read_char()?;
        self.f = input.read_f32()?;
        self.strs = input.read_string_array()?;
        Ok(())
    }
}

//! Borrowed views (`{Record}Ref<'a>`) of every fixture record agree with
//! the owned decoders, and `AvroCodec::avro_skip` reads past exactly one
//! value: for random values written by apache-avro, every eager field of a
//! view equals the owned field, every lazy accessor decodes exactly the
//! owned field, and truncated, over-long or too deeply nested input is an
//! error, never a panic or a stack overflow.

#![allow(clippy::unwrap_used)]

#[path = "../../tests/support/view_framing.rs"]
#[macro_use]
mod view_framing;
#[path = "../../tests/support/avro_values.rs"]
mod avro_values;

use apache_avro::Schema;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use schemabus::codec::avro::reader::{Reader, MAX_DEPTH};
use schemabus::codec::avro::DecodeErrorKind;
use schemabus::{AvroCodec, AvroSchema};

use schemabus_codegen_tests::generated::fixtures::orders::{
    OrderLine, OrderLineRef, OrderPlaced, OrderPlacedRef,
};
use schemabus_codegen_tests::generated::fixtures::shapes::r#match::{
    Type as Keywords, TypeRef as KeywordsRef,
};
use schemabus_codegen_tests::generated::fixtures::shapes::{
    Collections, CollectionsRef, Logical, LogicalRef, Named, NamedRef, Node, NodeRef, Pair,
    PairRef, Point, PointRef, Primitives, PrimitivesRef, Unions, UnionsRef,
};

use avro_values::value_strategy;
use avro_values::{apache_encode, fail};

/// Cases per type.
const CASES: u32 = 64;

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Runs `property` on the apache-avro encodings of random values of `T`.
fn run_on_encodings<T: AvroSchema>(property: impl Fn(&[u8]) -> Result<(), TestCaseError>) {
    let schema = Schema::parse_str(T::SCHEMA_JSON).unwrap();
    let strategy = value_strategy(&schema);
    match runner().run(&strategy, |value| {
        let bytes = apache_encode(&schema, &value)?;
        property(&bytes)
    }) {
        Ok(()) => {}
        Err(TestError::Fail(reason, value)) => {
            panic!("{}: {reason}\n  minimal value: {value:?}", T::FULL_NAME)
        }
        Err(TestError::Abort(reason)) => panic!("{}: {reason}", T::FULL_NAME),
    }
}

/// `AvroCodec::avro_skip` reads past exactly one value, and fails on every
/// strict prefix of it.
fn skip_property<T: AvroCodec>(bytes: &[u8]) -> Result<(), TestCaseError> {
    let mut r = Reader::new(bytes);
    T::avro_skip(&mut r).map_err(|e| fail("avro_skip of a valid encoding", e))?;
    proptest::prop_assert!(r.is_empty(), "avro_skip left {} bytes", r.remaining());
    // Followed by more input: stops exactly where the value ends.
    let mut longer = bytes.to_vec();
    longer.extend_from_slice(&[0x02, 0x04, 0x06]);
    let mut r = Reader::new(&longer);
    T::avro_skip(&mut r).map_err(|e| fail("avro_skip with bytes after the value", e))?;
    proptest::prop_assert_eq!(r.position(), bytes.len());
    // Two values back to back.
    let mut twice = bytes.to_vec();
    twice.extend_from_slice(bytes);
    let mut r = Reader::new(&twice);
    T::avro_skip(&mut r).map_err(|e| fail("first avro_skip of two", e))?;
    proptest::prop_assert_eq!(r.position(), bytes.len());
    T::avro_skip(&mut r).map_err(|e| fail("second avro_skip of two", e))?;
    proptest::prop_assert!(r.is_empty());
    for n in 0..bytes.len() {
        let mut r = Reader::new(&bytes[..n]);
        proptest::prop_assert!(
            T::avro_skip(&mut r).is_err(),
            "avro_skip accepted a {n}-byte prefix of {} bytes",
            bytes.len()
        );
    }
    Ok(())
}

fn skip_test<T: AvroCodec + AvroSchema>() {
    run_on_encodings::<T>(skip_property::<T>);
}

#[test]
fn avro_skip_reads_past_exactly_one_value() {
    skip_test::<Primitives>();
    skip_test::<Logical>();
    skip_test::<Collections>();
    skip_test::<Point>();
    skip_test::<Unions>();
    skip_test::<Named>();
    skip_test::<Node>();
    skip_test::<Pair>();
    skip_test::<Keywords>();
    skip_test::<OrderLine>();
    skip_test::<OrderPlaced>();
}

/// A property test of the view `$view` of `$owned`: `|$v, $o| $body`
/// compares a view with the owned value decoded from the same bytes.
macro_rules! view_test {
    ($test:ident, $owned:ty, $view:ident, |$v:ident, $o:ident| $body:block) => {
        #[test]
        fn $test() {
            run_on_encodings::<$owned>(|bytes| {
                let $o = <$owned as AvroCodec>::from_avro_bytes(bytes)
                    .map_err(|e| fail("owned decode", e))?;
                let $v = $view::from_avro_bytes(bytes).map_err(|e| fail("view decode", e))?;
                $body

                check_view_framing!($view, bytes, $v);
                Ok(())
            });
        }
    };
}

/// `Ok` of an accessor, or a test failure naming it.
macro_rules! lazy {
    ($v:ident . $field:ident ()) => {
        $v.$field()
            .map_err(|e| fail(concat!("accessor ", stringify!($field)), e))?
    };
}

view_test!(primitives_view, Primitives, PrimitivesRef, |v, o| {
    proptest::prop_assert_eq!(v.nothing, o.nothing);
    proptest::prop_assert_eq!(v.flag, o.flag);
    proptest::prop_assert_eq!(v.small, o.small);
    proptest::prop_assert_eq!(v.big, o.big);
    proptest::prop_assert_eq!(v.ratio.to_bits(), o.ratio.to_bits());
    proptest::prop_assert_eq!(v.precise.to_bits(), o.precise.to_bits());
    proptest::prop_assert_eq!(v.raw, o.raw.as_slice());
    proptest::prop_assert_eq!(v.text, o.text.as_str());
});

view_test!(logical_view, Logical, LogicalRef, |v, o| {
    proptest::prop_assert_eq!(v.id, o.id);
    proptest::prop_assert_eq!(v.id_fixed, o.id_fixed);
    proptest::prop_assert_eq!(v.day, o.day);
    proptest::prop_assert_eq!(v.time_ms, o.time_ms);
    proptest::prop_assert_eq!(v.time_us, o.time_us);
    proptest::prop_assert_eq!(v.at_ms, o.at_ms);
    proptest::prop_assert_eq!(v.at_us, o.at_us);
    proptest::prop_assert_eq!(v.at_ns, o.at_ns);
    proptest::prop_assert_eq!(v.local_ms, o.local_ms);
    proptest::prop_assert_eq!(v.local_us, o.local_us);
    proptest::prop_assert_eq!(v.local_ns, o.local_ns);
    proptest::prop_assert_eq!(lazy!(v.price()), o.price);
    proptest::prop_assert_eq!(lazy!(v.amount()), o.amount);
    proptest::prop_assert_eq!(v.period, o.period);
    proptest::prop_assert_eq!(v.maybe_at, o.maybe_at);
    proptest::prop_assert_eq!(lazy!(v.history()), o.history);
});

view_test!(collections_view, Collections, CollectionsRef, |v, o| {
    proptest::prop_assert_eq!(lazy!(v.numbers()), o.numbers);
    proptest::prop_assert_eq!(lazy!(v.labels()), o.labels);
    let matrix = lazy!(v.matrix());
    proptest::prop_assert_eq!(matrix.len(), o.matrix.len());
    for (a, b) in matrix.iter().zip(&o.matrix) {
        let a: Vec<u64> = a.iter().map(|x| x.to_bits()).collect();
        let b: Vec<u64> = b.iter().map(|x| x.to_bits()).collect();
        proptest::prop_assert_eq!(a, b);
    }
    proptest::prop_assert_eq!(lazy!(v.groups()), o.groups);
    proptest::prop_assert_eq!(lazy!(v.sparse()), o.sparse);
    proptest::prop_assert_eq!(lazy!(v.points()), o.points);
    proptest::prop_assert_eq!(lazy!(v.blobs()), o.blobs);
});

view_test!(point_view, Point, PointRef, |v, o| {
    proptest::prop_assert_eq!(v.x.to_bits(), o.x.to_bits());
    proptest::prop_assert_eq!(v.y.to_bits(), o.y.to_bits());
});

view_test!(unions_view, Unions, UnionsRef, |v, o| {
    proptest::prop_assert_eq!(v.null_first, o.null_first.as_deref());
    proptest::prop_assert_eq!(v.null_last, o.null_last.as_deref());
    proptest::prop_assert_eq!(v.required_nullable, o.required_nullable);
    proptest::prop_assert_eq!(lazy!(v.choice()), o.choice);
    proptest::prop_assert_eq!(lazy!(v.nullable_choice()), o.nullable_choice);
    proptest::prop_assert_eq!(lazy!(v.choices()), o.choices);
    proptest::prop_assert_eq!(lazy!(v.nested_point()), o.nested_point);
});

view_test!(named_view, Named, NamedRef, |v, o| {
    proptest::prop_assert_eq!(v.suit, o.suit);
    proptest::prop_assert_eq!(v.keyword_enum, o.keyword_enum);
    proptest::prop_assert_eq!(v.digest, o.digest);
    proptest::prop_assert_eq!(v.wide, o.wide);
    proptest::prop_assert_eq!(lazy!(v.suits()), o.suits);
});

view_test!(node_view, Node, NodeRef, |v, o| {
    proptest::prop_assert_eq!(v.value, o.value);
    proptest::prop_assert_eq!(lazy!(v.next()), o.next);
    proptest::prop_assert_eq!(lazy!(v.children()), o.children);
    proptest::prop_assert_eq!(lazy!(v.pair()), o.pair);
});

view_test!(pair_view, Pair, PairRef, |v, o| {
    proptest::prop_assert_eq!(lazy!(v.left()), o.left);
    proptest::prop_assert_eq!(lazy!(v.right()), o.right);
});

view_test!(keywords_view, Keywords, KeywordsRef, |v, o| {
    proptest::prop_assert_eq!(v.r#type, o.r#type.as_str());
    proptest::prop_assert_eq!(v.self_, o.self_);
    proptest::prop_assert_eq!(v.camel_case, o.camel_case);
    proptest::prop_assert_eq!(v.r#loop, o.r#loop);
});

view_test!(order_line_view, OrderLine, OrderLineRef, |v, o| {
    proptest::prop_assert_eq!(v.sku, o.sku.as_str());
    proptest::prop_assert_eq!(v.quantity, o.quantity);
    proptest::prop_assert_eq!(lazy!(v.unit_price()), o.unit_price);
});

view_test!(order_placed_view, OrderPlaced, OrderPlacedRef, |v, o| {
    proptest::prop_assert_eq!(v.order_id, o.order_id);
    proptest::prop_assert_eq!(lazy!(v.lines()), o.lines);
    proptest::prop_assert_eq!(v.placed_at, o.placed_at);
    proptest::prop_assert_eq!(v.note, o.note.as_deref());
});

// -------------------------------------------------------------- recursion

/// A `Node` list `depth` nodes long, linked through `next`, as Avro bytes.
fn node_chain_bytes(depth: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(depth * 4 + 4);
    for _ in 1..depth {
        bytes.extend_from_slice(&[0x02, 0x02]); // value 1, next: branch 1 (Node)
    }
    bytes.extend_from_slice(&[0x02, 0x00, 0x00, 0x00]); // value 1, next null, no children, pair null
    for _ in 1..depth {
        bytes.extend_from_slice(&[0x00, 0x00]); // children, pair of each enclosing node
    }
    bytes
}

fn depth_err<T>(result: Result<T, schemabus::codec::avro::DecodeError>) {
    match result {
        Ok(_) => panic!("hostile nesting accepted"),
        Err(e) => assert_eq!(e.kind(), &DecodeErrorKind::DepthLimitExceeded(MAX_DEPTH)),
    }
}

#[test]
fn view_of_hostile_nesting_is_an_error_not_a_stack_overflow() {
    let bytes = node_chain_bytes(10_000);
    depth_err(NodeRef::from_avro_bytes(&bytes));
    depth_err(NodeRef::read_from(&mut Reader::new(&bytes)));
    depth_err(<Node as AvroCodec>::avro_skip(&mut Reader::new(&bytes)));
    // A Pair whose left is the deep chain.
    let mut pair = bytes.clone();
    pair.push(0x00); // right: null
    depth_err(PairRef::from_avro_bytes(&pair));
    depth_err(<Pair as AvroCodec>::avro_skip(&mut Reader::new(&pair)));
}

#[test]
fn view_nesting_limit_matches_the_owned_decoder() {
    let at_limit = node_chain_bytes(MAX_DEPTH);
    let owned = Node::from_avro_bytes(&at_limit).unwrap();
    let view = NodeRef::from_avro_bytes(&at_limit).unwrap();
    assert_eq!(view.value, owned.value);
    assert_eq!(view.next().unwrap(), owned.next);
    let mut r = Reader::new(&at_limit);
    <Node as AvroCodec>::avro_skip(&mut r).unwrap();
    assert!(r.is_empty());

    let past = node_chain_bytes(MAX_DEPTH + 1);
    depth_err(Node::from_avro_bytes(&past));
    depth_err(NodeRef::from_avro_bytes(&past));
    depth_err(<Node as AvroCodec>::avro_skip(&mut Reader::new(&past)));
}

#[test]
fn view_nesting_through_pair_is_limited_too() {
    // Node { pair: Pair { left: Node{..}, right: Pair { left, right: ... } } }
    let depth = 5_000;
    let leaf = [0x02, 0x00, 0x00, 0x00];
    let mut bytes = vec![0x02, 0x00, 0x00, 0x02]; // value, next null, no children, pair: branch 1
    for _ in 0..depth {
        bytes.extend_from_slice(&leaf); // Pair.left
        bytes.push(0x02); // Pair.right: branch 1
    }
    bytes.extend_from_slice(&leaf);
    bytes.push(0x00);
    depth_err(NodeRef::from_avro_bytes(&bytes));
    depth_err(<Node as AvroCodec>::avro_skip(&mut Reader::new(&bytes)));
}

#[test]
fn view_of_many_siblings_does_not_nest() {
    let mut wide = vec![0x02, 0x00]; // value 1, next null
    wide.extend_from_slice(&[0xd0, 0x0f]); // block of 1000 children
    for _ in 0..1000 {
        wide.extend_from_slice(&[0x04, 0x00, 0x00, 0x00]);
    }
    wide.extend_from_slice(&[0x00, 0x00]); // end of children, pair null
    let view = NodeRef::from_avro_bytes(&wide).unwrap();
    assert_eq!(view.value, 1);
    assert_eq!(view.children().unwrap().len(), 1000);
    let mut r = Reader::new(&wide);
    <Node as AvroCodec>::avro_skip(&mut r).unwrap();
    assert!(r.is_empty());
}

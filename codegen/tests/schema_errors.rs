//! Schema errors: one case per kind of error under `tests/bad_schemas/<case>/`.
//!
//! Each case snapshots the error as users see it (rustc-like, with
//! `file:line:col`, the line, a caret and a hint) and checks the first
//! diagnostic's position, computed by hand from the fixture text. The schema
//! root is relative (`tests/bad_schemas/<case>`, the tests run in `codegen/`),
//! so the paths in the snapshots are the same on every machine.
//!
//! Cases named `accepted_*` are valid schemas kept beside the errors: they
//! used to generate a name twice; see "Names the generated Rust code would
//! define twice" below.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use schemabus_codegen::resolve::{load_dir, load_sources};
use schemabus_codegen::{generate, Builder, Diagnostic, Error};

/// The cases' parent directory, relative to the crate directory.
const ROOT: &str = "tests/bad_schemas";

fn case_dir(case: &str) -> PathBuf {
    Path::new(ROOT).join(case)
}

/// Loads and generates `case`, as `build.rs` and `schemabus gen` do.
fn run(case: &str) -> Result<String, Error> {
    Builder::new().schemas(case_dir(case)).generate()
}

/// The schema error of `case`; panics on success or on another kind of error.
fn schema_error(case: &str) -> Error {
    match run(case) {
        Ok(_) => panic!("{case}: expected a schema error, the schemas were accepted"),
        Err(e @ Error::Schema(_)) => e,
        Err(other) => panic!("{case}: expected a schema error, got {other:?}"),
    }
}

/// The error's text, with `/` separators whatever the platform.
fn display(error: &Error) -> String {
    let text = error.to_string();
    if cfg!(windows) {
        text.replace('\\', "/")
    } else {
        text
    }
}

/// Checks that a diagnostic points into its file: a real line, a column on
/// it (or just past its end), and the excerpt is that line.
fn assert_points_into_file(d: &Diagnostic) {
    let source =
        std::fs::read_to_string(&d.path).unwrap_or_else(|e| panic!("{}: {e}", d.path.display()));
    let line = source
        .lines()
        .nth(d.line as usize - 1)
        .unwrap_or_else(|| panic!("{d}\nline {} is past the end of the file", d.line));
    assert!(
        d.col >= 1 && d.col as usize <= line.chars().count() + 1,
        "{d}\ncolumn {} is not on line {:?}",
        d.col,
        line
    );
    assert_eq!(d.source_line.as_deref(), Some(line), "{d}");
}

/// Snapshots the error of `case` and checks its first diagnostic: file
/// (relative to the case directory), line, column, message and hint.
#[track_caller]
fn check(case: &str, file: &str, line: u32, col: u32, message: &str, hint: Option<&str>) {
    let error = schema_error(case);
    let text = display(&error);
    let d = &error.diagnostics()[0];
    assert_eq!(d.path, case_dir(case).join(file), "{text}");
    assert_eq!((d.line, d.col), (line, col), "{text}");
    assert!(d.message.contains(message), "{text}");
    match hint {
        Some(hint) => assert!(
            d.hint.as_deref().is_some_and(|h| h.contains(hint)),
            "{text}"
        ),
        None => assert_eq!(d.hint, None, "{text}"),
    }
    for d in error.diagnostics() {
        assert_points_into_file(d);
    }
    let place = format!("{ROOT}/{case}/{file}:{line}:{col}");
    assert!(text.contains(&place), "{place} not in:\n{text}");
    assert!(text.contains("^"), "{text}");
    insta::assert_snapshot!(case, text);
}

// One case per kind of error. Positions: 1-based, the column in characters of
// the first character of the offending token.

#[test]
fn json_syntax_error() {
    // Line 6 lacks its trailing comma: the error is where the next element starts.
    check(
        "json_syntax",
        "shop/Order.avsc",
        7,
        5,
        "invalid JSON: expected `,` or `]` after array element, found `{`",
        None,
    );
}

#[test]
fn unknown_type_with_suggestion() {
    check(
        "unknown_type",
        "performance/Alert.avsc",
        6,
        34,
        "unknown type `zamaz.common.Sevrity`",
        Some("did you mean `zamaz.common.Severity`?"),
    );
}

#[test]
fn type_defined_twice_across_files() {
    // The second definition (by path order) is at fault; the hint names the first.
    check(
        "duplicate_type",
        "b/Invoice.avsc",
        6,
        32,
        "type `shop.Money` is defined twice",
        Some("first defined at tests/bad_schemas/duplicate_type/a/Money.avsc:1:1"),
    );
}

#[test]
fn invalid_name() {
    check(
        "invalid_name",
        "shop/Order.avsc",
        3,
        11,
        "invalid name `Order-Line`",
        Some("[A-Za-z_][A-Za-z0-9_]*"),
    );
}

#[test]
fn default_of_the_wrong_type() {
    check(
        "bad_default_type",
        "shop/Order.avsc",
        6,
        52,
        "invalid default for field `quantity` of `shop.Order`: default must be an integer (`int`), found \"ten\"",
        None,
    );
}

#[test]
fn union_default_not_matching_the_first_branch() {
    check(
        "bad_default_union",
        "shop/Order.avsc",
        6,
        61,
        "a union's default must match its first branch (`null`), found \"none\"",
        Some("move `string` to the front of the union"),
    );
}

#[test]
fn decimal_scale_greater_than_precision() {
    check(
        "decimal_scale",
        "shop/Price.avsc",
        6,
        101,
        "decimal `scale` 6 is greater than `precision` 4",
        Some("at most the precision"),
    );
}

#[test]
fn decimal_precision_too_large_for_the_fixed_size() {
    check(
        "decimal_fixed_precision",
        "shop/Amount.avsc",
        7,
        16,
        "decimal precision 10 does not fit in a fixed of size 4 (at most 9 digits)",
        Some("increase `size` or lower `precision`"),
    );
}

#[test]
fn uuid_on_int() {
    check(
        "uuid_on_int",
        "shop/Order.avsc",
        6,
        59,
        "logical type `uuid` cannot annotate `int`",
        Some("`uuid` annotates `string` or a `fixed` of size 16"),
    );
}

#[test]
fn enum_default_not_a_symbol() {
    check(
        "enum_default",
        "shop/Status.avsc",
        6,
        14,
        "enum default `CLOSD` is not a symbol of the enum",
        Some("did you mean `CLOSED`?"),
    );
}

#[test]
fn duplicate_enum_symbol() {
    check(
        "duplicate_symbol",
        "shop/Status.avsc",
        5,
        33,
        "duplicate enum symbol `OPEN`",
        Some("first at line 5, column 15"),
    );
}

#[test]
fn duplicate_field() {
    check(
        "duplicate_field",
        "shop/Order.avsc",
        8,
        14,
        "duplicate field `id` in record `shop.Order`",
        Some("first defined at line 6, column 14"),
    );
}

#[test]
fn empty_union() {
    check(
        "empty_union",
        "shop/Order.avsc",
        6,
        33,
        "empty union",
        Some("at least one branch"),
    );
}

#[test]
fn nested_union() {
    check(
        "nested_union",
        "shop/Order.avsc",
        6,
        40,
        "a union may not directly contain another union",
        Some("list the inner union's branches in the outer union"),
    );
}

#[test]
fn event_aggregate_naming_a_missing_field() {
    // The aggregate check runs when generating, not when loading.
    load_dir(&case_dir("aggregate_missing")).unwrap();
    // At the property's value: `  "aggregate": "orderId",`.
    check(
        "aggregate_missing",
        "shop/OrderPlaced.avsc",
        5,
        16,
        "aggregate field `orderId` is not a field of `shop.OrderPlaced`",
        Some("did you mean `order_id`?"),
    );
}

#[test]
fn event_directly_in_the_schema_root_has_no_context() {
    load_dir(&case_dir("event_in_root")).unwrap();
    // At the `aggregate` property that makes the record an event.
    check(
        "event_in_root",
        "Pinged.avsc",
        5,
        16,
        "event `shop.Pinged` has no bounded context",
        Some("put the file under <schemas>/<context>/"),
    );
}

#[test]
fn fields_colliding_after_snake_case() {
    load_dir(&case_dir("snake_collision")).unwrap();
    // At the second field's object (duplicate_field points at the name instead).
    check(
        "snake_collision",
        "shop/Order.avsc",
        7,
        5,
        "fields `fooBar` and `foo_bar` both become the Rust field `foo_bar`",
        Some("rename one of them"),
    );
}

// Several errors at once.

fn positions(error: &Error) -> Vec<(String, u32, u32)> {
    error
        .diagnostics()
        .iter()
        .map(|d| {
            let rel = d.path.strip_prefix(ROOT).unwrap();
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy());
            (rel.collect::<Vec<_>>().join("/"), d.line, d.col)
        })
        .collect()
}

#[test]
fn every_error_in_one_file_is_reported() {
    let error = schema_error("several_in_one_file");
    let file = "several_in_one_file/shop/Order.avsc";
    assert_eq!(
        positions(&error),
        [
            (file.to_owned(), 6, 28),  // unknown type `strin`
            (file.to_owned(), 7, 50),  // default 1.5 for a long
            (file.to_owned(), 8, 87),  // duplicate symbol
            (file.to_owned(), 9, 14),  // invalid field name
            (file.to_owned(), 10, 51), // logicalType on the field
        ]
    );
    let text = display(&error);
    assert!(text.ends_with("\n5 errors in schemas"), "{text}");
    for d in error.diagnostics() {
        assert_points_into_file(d);
    }
    insta::assert_snapshot!("several_in_one_file", text);
}

#[test]
fn errors_in_two_files_are_all_reported() {
    let error = schema_error("two_files");
    assert_eq!(
        positions(&error),
        [
            ("two_files/a/Colour.avsc".to_owned(), 6, 14),
            ("two_files/b/Can.avsc".to_owned(), 7, 32),
        ]
    );
    // `Colour` is referenced from b/Can.avsc: its own error does not make
    // that reference fail too.
    assert_eq!(error.diagnostics().len(), 2);
    for d in error.diagnostics() {
        assert_points_into_file(d);
    }
    insta::assert_snapshot!("two_files", display(&error));
}

#[test]
fn generation_errors_in_two_files_are_all_reported() {
    let error = schema_error("two_files_generate");
    // Sorted by file and position, like load errors.
    assert_eq!(
        positions(&error),
        [
            ("two_files_generate/a/Alpha.avsc".to_owned(), 5, 16),
            ("two_files_generate/b/Beta.avsc".to_owned(), 7, 5),
        ]
    );
    for d in error.diagnostics() {
        assert_points_into_file(d);
    }
    insta::assert_snapshot!("two_files_generate", display(&error));
}

#[test]
fn missing_directory_is_an_io_error_naming_it() {
    let dir = case_dir("no_such_directory");
    match Builder::new().schemas(&dir).generate() {
        Err(Error::Io { path, source }) => {
            assert_eq!(path, dir);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("expected an Io error, got {other:?}"),
    }
    let error = load_dir(&dir).unwrap_err();
    assert!(error.diagnostics().is_empty());
    let text = display(&error);
    assert!(
        text.starts_with("cannot read `tests/bad_schemas/no_such_directory`: "),
        "{text}"
    );
}

// Robustness.

/// Every case directory under `ROOT`, sorted.
fn all_cases() -> Vec<String> {
    let mut cases: Vec<String> = std::fs::read_dir(ROOT)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    cases
}

#[test]
fn no_case_panics_and_every_case_is_rejected() {
    // `accepted_*` cases are valid: see `accepted`.
    let cases: Vec<String> = all_cases()
        .into_iter()
        .filter(|c| !c.starts_with("accepted_"))
        .collect();
    assert!(cases.len() >= 20, "{cases:?}");
    let mut panicked = Vec::new();
    for case in &cases {
        match catch_unwind(|| run(case)) {
            Err(_) => panicked.push(case.clone()),
            Ok(Err(Error::Schema(diags))) => {
                assert!(!diags.is_empty(), "{case}");
                for d in &diags {
                    assert_points_into_file(d);
                }
            }
            Ok(other) => panic!("{case}: expected a schema error, got {other:?}"),
        }
    }
    assert!(panicked.is_empty(), "panicked: {panicked:?}");
}

/// Sources of the fixture and reference schemas, relative to their roots.
fn good_sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for root in ["../codegen-tests/schemas", "../schemas"] {
        let model = load_dir(Path::new(root)).unwrap();
        out.extend(model.files.into_iter().map(|f| (f.rel_path, f.source)));
    }
    out
}

/// Loads (and, if that succeeds and `and_generate`, generates) one mangled
/// file; must not panic, and every diagnostic must point into the text.
fn survives(rel: &str, text: &str, and_generate: bool) {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let model = load_sources(vec![(rel.to_owned(), text.to_owned())])?;
        if and_generate {
            generate(&model, "schemas").map(drop)
        } else {
            Ok(())
        }
    }));
    let Ok(result) = result else {
        panic!("panicked on {rel}:\n{text}");
    };
    let lines: Vec<&str> = text.lines().collect();
    for d in result.err().iter().flat_map(|e| e.diagnostics()) {
        // A problem at the very end of the file may be just past the last line.
        assert!(
            d.line >= 1 && d.line as usize <= lines.len() + 1,
            "{d}\nin:\n{text}"
        );
        if let Some(line) = lines.get(d.line as usize - 1) {
            assert!(
                d.col as usize <= line.chars().count() + 1,
                "{d}\nin:\n{text}"
            );
        }
    }
}

#[test]
fn truncated_schemas_never_panic() {
    for (rel, source) in good_sources().iter().step_by(4) {
        for (i, _) in source.char_indices() {
            survives(rel, &source[..i], true);
        }
    }
}

#[test]
fn schemas_missing_one_character_never_panic() {
    for (rel, source) in good_sources().iter().skip(1).step_by(8) {
        for (i, c) in source.char_indices() {
            let mangled = format!("{}{}", &source[..i], &source[i + c.len_utf8()..]);
            // Most of these still load; generating each would be slow.
            survives(rel, &mangled, i % 32 == 0);
        }
    }
}

// Names the generated Rust code would define twice. These schemas used to be
// accepted (or made the generator panic) and the crate using them failed to
// compile inside `events.rs`; now they are schema errors, or the generator
// picks distinct names. `accepted_*` cases are schemas that are valid and
// whose generated code must define every name once.

/// `path::Name` of every item, variant or field defined twice in `code`.
fn duplicate_names(code: &str) -> Vec<String> {
    let file: syn::File = syn::parse_str(code).unwrap();
    let mut out = Vec::new();
    duplicates_in(&file.items, "crate", &mut out);
    out
}

fn duplicates_in(items: &[syn::Item], path: &str, out: &mut Vec<String>) {
    let mut types = BTreeSet::new();
    let check = |set: &mut BTreeSet<String>, name: String, out: &mut Vec<String>| {
        if !set.insert(name.clone()) {
            out.push(name);
        }
    };
    for item in items {
        match item {
            syn::Item::Struct(s) => {
                let name = format!("{path}::{}", s.ident);
                let mut fields = BTreeSet::new();
                for f in s.fields.iter().filter_map(|f| f.ident.as_ref()) {
                    check(&mut fields, format!("{name}.{f}"), out);
                }
                check(&mut types, name, out);
            }
            syn::Item::Enum(e) => {
                let name = format!("{path}::{}", e.ident);
                let mut variants = BTreeSet::new();
                for v in &e.variants {
                    check(&mut variants, format!("{name}::{}", v.ident), out);
                }
                check(&mut types, name, out);
            }
            syn::Item::Mod(m) => {
                let name = format!("{path}::{}", m.ident);
                if let Some((_, content)) = &m.content {
                    duplicates_in(content, &name, out);
                }
                check(&mut types, name, out);
            }
            _ => {}
        }
    }
}

#[test]
fn the_duplicate_name_check_accepts_good_code() {
    let code = Builder::new()
        .schemas("../codegen-tests/schemas")
        .generate()
        .unwrap();
    assert_eq!(duplicate_names(&code), Vec::<String>::new());
    let code = Builder::new().schemas("../schemas").generate().unwrap();
    assert_eq!(duplicate_names(&code), Vec::<String>::new());
}

#[test]
fn the_duplicate_name_check_finds_duplicates() {
    let code = "pub enum E { A, A } pub struct S { a: u8, a: u8 } \
                pub mod m { pub struct T; pub struct T; } pub enum E { B }";
    assert_eq!(
        duplicate_names(code),
        ["crate::E::A", "crate::S.a", "crate::m::T", "crate::E"]
    );
}

/// The generated code of the `accepted_*` case; checks it defines every name once.
fn accepted(case: &str) -> String {
    let code = catch_unwind(|| run(case))
        .unwrap_or_else(|_| panic!("{case}: the generator panicked"))
        .unwrap_or_else(|e| panic!("{case}: rejected:\n{}", display(&e)));
    assert_eq!(duplicate_names(&code), Vec::<String>::new(), "{case}");
    code
}

#[test]
fn enum_symbols_colliding_with_a_suffixed_variant_get_distinct_variants() {
    // `x` → `X`; `X` would be `X` too, and `X1` (the old index suffix) is
    // taken by the symbol `X1`: each symbol gets its own variant.
    let code = accepted("accepted_enum_symbol_suffix");
    for (symbol, variant) in [("x", "X"), ("X", "X2"), ("X1", "X1")] {
        let decl = format!("#[serde(rename = \"{symbol}\")]\n        {variant},");
        assert_eq!(code.matches(&decl).count(), 1, "{decl}\n{code}");
    }
    assert_eq!(code.matches("pub enum Code {").count(), 1, "{code}");
}

#[test]
fn event_fields_named_like_the_metadata_field_leave_it_a_free_name() {
    let code = accepted("accepted_metadata_field_names");
    // The two schema fields keep their names (in the struct and in its
    // borrowed view `AnnotatedRef`)…
    assert_eq!(code.matches("pub metadata: ").count(), 2, "{code}");
    assert_eq!(code.matches("pub event_metadata: ").count(), 2, "{code}");
    // …and the metadata field takes another one.
    assert_eq!(
        code.matches(
            "#[domain_event(metadata)]\n        pub event_metadata_: ::schemabus::__private::EventMetadata,"
        )
        .count(),
        1,
        "{code}"
    );
}

#[test]
fn events_with_the_same_simple_name_in_one_context() {
    check(
        "same_event_name_in_context",
        "debate/b/Closed.avsc",
        1,
        1,
        "events `debate.a.Closed` and `debate.b.Closed` both become `DebateEvent::Closed`",
        Some("give the events of one context distinct names"),
    );
}

#[test]
fn a_context_named_any() {
    check(
        "context_named_any",
        "any/Pinged.avsc",
        1,
        1,
        "bounded context `any` is reserved",
        Some("its enum would be `AnyEvent`, the enum over all contexts"),
    );
}

#[test]
fn namespaces_colliding_after_snake_case() {
    check(
        "namespace_case",
        "shop/lower.avsc",
        1,
        1,
        "namespaces `shop.OrderLines` and `shop.order_lines` both become the Rust module `shop::order_lines`",
        Some("use one spelling of the namespace"),
    );
}

#[test]
fn contexts_colliding_after_case_conversion() {
    // The context is the `"context"` property (line 6), which keeps no
    // position: the diagnostic points at the record.
    check(
        "context_case",
        "shop/Opened.avsc",
        1,
        1,
        "contexts `Shop` and `shop` both become `ShopEvent`",
        Some("rename one of them"),
    );
}

#[test]
fn a_type_named_like_a_context_enum() {
    check(
        "catalog_name",
        "shop/ShopEvent.avsc",
        1,
        1,
        "type `ShopEvent` collides with the generated `ShopEvent`",
        Some("give it a namespace or another name"),
    );
}

#[test]
fn a_type_named_like_the_enum_of_all_events() {
    check(
        "catalog_name_any",
        "shop/AnyEvent.avsc",
        1,
        1,
        "type `AnyEvent` collides with the generated `AnyEvent`",
        Some("give it a namespace or another name"),
    );
}

#[test]
fn a_context_directory_that_is_not_an_identifier() {
    check(
        "context_directory_not_an_identifier",
        "order-service/OrderPlaced.avsc",
        1,
        1,
        "bounded context `order-service` of `shop.OrderPlaced` is not a valid name",
        Some("use letters, digits and `_`, starting with a letter"),
    );
}

#[test]
fn a_context_directory_starting_with_a_digit() {
    check(
        "context_starting_with_a_digit",
        "2024/Ticked.avsc",
        1,
        1,
        "bounded context `2024` of `clock.Ticked` is not a valid name",
        Some("use letters, digits and `_`, starting with a letter"),
    );
}

#[test]
fn a_context_property_that_is_not_an_identifier() {
    // At the `context` property's value.
    check(
        "context_property_not_an_identifier",
        "shop/OrderPlaced.avsc",
        6,
        14,
        "bounded context `order service` of `shop.OrderPlaced` is not a valid name",
        Some("use letters, digits and `_`, starting with a letter"),
    );
}

// Known weaknesses of messages and positions.

#[test]
fn transposed_primitive_name_gets_a_suggestion() {
    let error = schema_error("two_files");
    let d = &error.diagnostics()[1];
    assert_eq!(
        d.message,
        "unknown type `flaot` (looked for `paint.flaot` and `flaot`)"
    );
    assert_eq!(d.hint.as_deref(), Some("did you mean `float`?"));
}

#[test]
fn generated_union_enum_colliding_with_the_view() {
    // Union field `ref` of `Foo` would be the enum `FooRef`, the name of
    // `Foo`'s borrowed view.
    check(
        "generated_name_collision",
        "Foo.avsc",
        1,
        1,
        "would both be named `FooRef`",
        Some("rename the record, the field or the type"),
    );
}

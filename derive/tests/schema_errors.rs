//! Schema errors name the schema file with its line and column.
//!
//! trybuild strips line numbers from paths outside the test file, so the
//! `tests/ui/schema/*.stderr` files cannot show them: this runs the derive's
//! expansion directly and checks the message.

use proc_macro2::TokenStream;

fn expand(input: TokenStream) -> String {
    std::env::set_var("SCHEMABUS_MANIFEST_DIR", env!("CARGO_MANIFEST_DIR"));
    let input: syn::DeriveInput = syn::parse2(input).expect("a struct");
    match schemabus_codegen::__derive::expand_domain_event(&input) {
        Ok(_) => panic!("expected the expansion to fail"),
        Err(e) => e.to_string(),
    }
}

fn event(schema: &str) -> String {
    expand(quote::quote! {
        #[domain_event(context = "orders", schema = #schema)]
        pub struct Event {
            pub order_id: Uuid,
            #[domain_event(metadata)]
            pub metadata: EventMetadata,
        }
    })
}

#[test]
fn json_syntax_error_has_line_and_column() {
    let message = event("tests/bad-schemas/syntax/orders/Broken.avsc");
    assert!(message.contains("invalid JSON"), "{message}");
    // The element after the missing comma: line 8, column 5.
    assert!(
        message.contains("tests/bad-schemas/syntax/orders/Broken.avsc:8:5"),
        "{message}"
    );
}

#[test]
fn unknown_type_has_line_column_and_suggestion() {
    let message = event("tests/bad-schemas/unknown-type/orders/Dangling.avsc");
    assert!(
        message.contains("unknown type `test.common.Priorty`"),
        "{message}"
    );
    assert!(
        message.contains("tests/bad-schemas/unknown-type/orders/Dangling.avsc:8:34"),
        "{message}"
    );
    assert!(
        message.contains("did you mean `test.common.Priority`?"),
        "{message}"
    );
}

/// rustc prefixes a derive's message with `error: `, so the schema
/// diagnostics must not carry their own (`error: error: invalid JSON ...`).
#[test]
fn schema_error_is_not_prefixed_twice() {
    for schema in [
        "tests/bad-schemas/syntax/orders/Broken.avsc",
        "tests/bad-schemas/unknown-type/orders/Dangling.avsc",
    ] {
        let message = event(schema);
        assert!(!message.starts_with("error"), "{message}");
        assert!(!message.contains("error: error:"), "{message}");
    }
}

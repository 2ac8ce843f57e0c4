//! Custom fields: defining, renaming, retiring, restoring and removing them, the list of a
//! store's fields with per-row accessors, and the text form of their values that the C face uses
//! where a typed argument does not fit (a default, a column of values, a value read back).

use std::ffi::{CString, c_char, c_int};
use std::mem::offset_of;
use std::ptr;
use std::sync::OnceLock;

use crm_core::{CustomFieldType, EntityKind, FieldDefinition, NewFieldDefinition, Result};

use crate::args::{
    Versioned, boxed, c_string, clear_out, init_versioned, null, opt_ptr, opt_str, out_ptr, read,
    req_str, static_name, str_array, versioned,
};
use crate::db::crm_db;
use crate::error::{guard_db, guard_value};

/// The kind of record named by `entity`; NULL is `"customer"`.
///
/// # Safety
/// `entity` is NULL or NUL-terminated.
unsafe fn entity_kind(entity: *const c_char, name: &str) -> Result<EntityKind> {
    // SAFETY: forwarded contract.
    match unsafe { opt_str(entity, name) }? {
        Some(e) => e.parse(),
        None => Ok(EntityKind::Customer),
    }
}

// ------------------------------------------------------------------------------------------------
// Define

/// A custom field to define. Initialise with `crm_field_definition_init`, then set at least `name`
/// and `type`. Strings are NUL-terminated UTF-8, copied. Pass it to `crm_field_define`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct crm_field_definition {
    /// Size of this struct as the caller knows it; set by `crm_field_definition_init`.
    pub struct_size: u32,
    /// Which records carry the field: `"customer"` (NULL, the default; the only one supported
    /// for now).
    pub entity: *const c_char,
    /// Name (required): lower-case letters, digits and `_`, starting with a letter, at most 63
    /// characters, not the name of a built-in field. Filters, sort orders and records use it.
    pub name: *const c_char,
    /// Type (required): `"text"`, `"integer"`, `"decimal"`, `"boolean"`, `"date"`, `"enum"` or
    /// `"multi_enum"`.
    pub r#type: *const c_char,
    /// The choices of an enum or multi-enum field, `choices_len` strings (at least one); none
    /// for other types.
    pub choices: *const *const c_char,
    /// Number of entries in `choices`.
    pub choices_len: usize,
    /// Not 0: every record must have a value (then a default is needed while records exist).
    pub required: c_int,
    /// Not 0: personal data (the audit trail keeps its values apart).
    pub personal: c_int,
    /// Not 0: backed by an index, so filtering on the field is an index lookup.
    pub indexed: c_int,
    /// The value of records that give none, in the text form `crm_customer_field_text` reads
    /// back, interpreted by `type`: integers and decimals as numbers (`"42"`, `"2.5"`), booleans
    /// `"true"` / `"false"`, dates `"2026-03-01"`, enums a choice, multi-enums comma-separated
    /// choices (`"email,sms"`). NULL: no default.
    pub default_value: *const c_char,
}

// SAFETY: repr(C), `struct_size: u32` first; the first version ends after `default_value`.
unsafe impl Versioned for crm_field_definition {
    const V1_SIZE: usize =
        offset_of!(crm_field_definition, default_value) + size_of::<*const c_char>();
    const INIT: &'static str = "crm_field_definition_init";
    const DEFAULTS: Self = crm_field_definition {
        struct_size: size_of::<crm_field_definition>() as u32,
        entity: ptr::null(),
        name: ptr::null(),
        r#type: ptr::null(),
        choices: ptr::null(),
        choices_len: 0,
        required: 0,
        personal: 0,
        indexed: 0,
        default_value: ptr::null(),
    };
}

/// Clears `definition` (customer entity, no name or type, no choices, optional, not personal, not
/// indexed, no default) and sets `struct_size`. Does nothing when `definition` is NULL.
/// Pass the struct's size as your header declares it: `crm_field_definition_init(&definition, sizeof definition)`. Only
/// that many bytes are written, so a program built against an older, smaller header is
/// never written past its struct; `struct_size` records the size.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_field_definition_init(
    definition: *mut crm_field_definition,
    size: usize,
) {
    guard_value("crm_field_definition_init", (), || {
        // SAFETY: NULL or writable for `size` bytes, by the caller's contract.
        unsafe { init_versioned(definition, size) }
    })
}

/// Converts the C struct; validation is crm-core's.
///
/// # Safety
/// The pointers in `d` are NULL or valid as documented on [`crm_field_definition`].
unsafe fn new_field(d: &crm_field_definition) -> Result<(EntityKind, NewFieldDefinition)> {
    // SAFETY (all): the caller's contract on the fields.
    let entity = unsafe { entity_kind(d.entity, "definition->entity") }?;
    let name = unsafe { req_str(d.name, "definition->name") }?;
    let ty: CustomFieldType = unsafe { req_str(d.r#type, "definition->type") }?.parse()?;
    let mut def = NewFieldDefinition::new(name, ty);
    def.choices = unsafe { str_array(d.choices, d.choices_len, "definition->choices") }?;
    def.required = d.required != 0;
    def.personal = d.personal != 0;
    def.indexed = d.indexed != 0;
    def.default =
        unsafe { opt_str(d.default_value, "definition->default_value") }?.map(|s| ty.parse_text(s));
    Ok((entity, def))
}

/// Defines a custom field: the store gains a column for it (and an index when `indexed`), and
/// from then on records carry its values, filters and sort orders accept its name, and
/// `crm_customer_set_*` write it. The definition is recorded in the audit trail.
///
/// Errors: `CRM_INVALID_INPUT` (a bad or built-in name, an unknown type, choices missing or
/// repeated or given to a type without choices, a default that does not fit the type, a required
/// field without a default while records exist; the message names the field, the value and the
/// rule), `CRM_ALREADY_EXISTS` (a field of that name exists, retired or not), `CRM_UNSUPPORTED`
/// (an entity other than customer), `CRM_INVALID_ARGUMENT` (NULL `db`, `definition`, `name` or
/// `type`, bad `struct_size`, invalid UTF-8). Nothing is written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_field_define(
    db: *mut crm_db,
    definition: *const crm_field_definition,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_field_define", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or a valid struct of at least `struct_size` bytes.
        let Some(d) = (unsafe { versioned(definition, "definition") })? else {
            return Err(null("definition"));
        };
        // SAFETY: the struct's pointers, per its contract.
        let (entity, def) = unsafe { new_field(&d) }?;
        db.crm.fields().define(entity, def).map(|_| ())
    })
}

// ------------------------------------------------------------------------------------------------
// Rename, retire, restore, remove

/// Renames field `from` of `entity` (`"customer"`; NULL: customer) to `to`; its values stay.
/// Saved segments that name the old field are not rewritten. Recorded in the audit trail.
///
/// Errors: `CRM_NOT_FOUND` (no field `from`), `CRM_ALREADY_EXISTS` (`to` is taken),
/// `CRM_INVALID_INPUT` (a bad or built-in `to`, an unknown entity), `CRM_INVALID_ARGUMENT` (NULL
/// `db`, `from` or `to`, invalid UTF-8). Nothing is written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_field_rename(
    db: *mut crm_db,
    entity: *const c_char,
    from: *const c_char,
    to: *const c_char,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_field_rename", unsafe { db.as_mut() }, |db| {
        // SAFETY (all): NULL or NUL-terminated.
        let entity = unsafe { entity_kind(entity, "entity") }?;
        let from = unsafe { req_str(from, "from") }?;
        let to = unsafe { req_str(to, "to") }?;
        db.crm.fields().rename(entity, from, to).map(|_| ())
    })
}

/// Retires field `name` of `entity` (NULL: customer): records, filters and sort orders no longer
/// see it, but its values are kept, and `crm_field_restore` brings them back. Recorded in the
/// audit trail.
///
/// Errors: `CRM_NOT_FOUND` (no field `name`), `CRM_INVALID_INPUT` (an unknown entity),
/// `CRM_INVALID_ARGUMENT` (NULL `db` or `name`, invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_field_retire(
    db: *mut crm_db,
    entity: *const c_char,
    name: *const c_char,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_field_retire", unsafe { db.as_mut() }, |db| {
        // SAFETY (both): NULL or NUL-terminated.
        let entity = unsafe { entity_kind(entity, "entity") }?;
        let name = unsafe { req_str(name, "name") }?;
        db.crm.fields().retire(entity, name).map(|_| ())
    })
}

/// Brings retired field `name` of `entity` (NULL: customer) back, with the values it had.
/// Recorded in the audit trail.
///
/// Errors as for `crm_field_retire`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_field_restore(
    db: *mut crm_db,
    entity: *const c_char,
    name: *const c_char,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_field_restore", unsafe { db.as_mut() }, |db| {
        // SAFETY (both): NULL or NUL-terminated.
        let entity = unsafe { entity_kind(entity, "entity") }?;
        let name = unsafe { req_str(name, "name") }?;
        db.crm.fields().restore(entity, name).map(|_| ())
    })
}

/// Removes field `name` of `entity` (NULL: customer) and its column. A field that holds values
/// is refused with `CRM_CONSTRAINT` unless `force` is not 0, which deletes the values with it.
/// Recorded in the audit trail.
///
/// Errors: `CRM_CONSTRAINT` (values exist and `force` is 0), otherwise as for
/// `crm_field_retire`. Nothing is written on failure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_field_remove(
    db: *mut crm_db,
    entity: *const c_char,
    name: *const c_char,
    force: c_int,
) -> c_int {
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_field_remove", unsafe { db.as_mut() }, |db| {
        // SAFETY (both): NULL or NUL-terminated.
        let entity = unsafe { entity_kind(entity, "entity") }?;
        let name = unsafe { req_str(name, "name") }?;
        db.crm.fields().remove(entity, name, force != 0)
    })
}

// ------------------------------------------------------------------------------------------------
// The list of fields

/// One field of a `crm_field_list`.
#[derive(Debug)]
struct Row {
    name: CString,
    ty: CustomFieldType,
    choices: Vec<CString>,
    default: Option<CString>,
    required: bool,
    personal: bool,
    indexed: bool,
    retired: bool,
}

impl Row {
    fn new(d: FieldDefinition) -> Result<Row> {
        let name = d.name.clone();
        let text = |s: &str, what: &str| c_string(s, || format!("field {name} {what}"));
        Ok(Row {
            name: text(&d.name, "name")?,
            ty: d.ty,
            choices: d
                .choices
                .iter()
                .map(|c| text(c, "choice"))
                .collect::<Result<_>>()?,
            default: d
                .default
                .as_ref()
                .map(|v| text(&v.text_form(), "default"))
                .transpose()?,
            required: d.required,
            personal: d.personal,
            indexed: d.indexed,
            retired: d.retired,
        })
    }
}

/// The custom fields of one entity in definition order, from `crm_field_all`. Read them by index
/// (0 to `crm_field_list_len` - 1); free the list with `crm_field_list_free`. It is a copy: it
/// stays valid after the handle is closed. Its strings are valid until it is freed.
#[derive(Debug)]
pub struct crm_field_list {
    items: Vec<Row>,
}

/// The guard of a row accessor: `f` of field `i`, or `fallback` for a NULL list or an `i` out of
/// range (or after a panic).
fn read_row<T: Copy>(
    name: &'static str,
    list: Option<&crm_field_list>,
    i: usize,
    fallback: T,
    f: impl FnOnce(&Row) -> T,
) -> T {
    read(name, list, fallback, |l| l.items.get(i).map_or(fallback, f))
}

/// Reads the custom fields of `entity` (`"customer"`; NULL: customer) in definition order;
/// retired ones too when `include_retired` is not 0. `*out` receives the list: free it with
/// `crm_field_list_free`; NULL on failure.
///
/// Errors: `CRM_INVALID_INPUT` (an unknown entity), `CRM_INVALID_ARGUMENT` (NULL `db` or `out`,
/// invalid UTF-8).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_field_all(
    db: *mut crm_db,
    entity: *const c_char,
    include_retired: c_int,
    out: *mut *mut crm_field_list,
) -> c_int {
    // SAFETY: NULL or writable; cleared before the handle is checked.
    unsafe { clear_out(out) };
    // SAFETY: `db` is NULL or an open handle used by this thread only.
    guard_db("crm_field_all", unsafe { db.as_mut() }, |db| {
        // SAFETY: NULL or writable.
        let out = unsafe { out_ptr(out, "out") }?;
        // SAFETY: NULL or NUL-terminated.
        let entity = unsafe { entity_kind(entity, "entity") }?;
        let items = db
            .crm
            .fields()
            .list(entity, include_retired != 0)?
            .into_iter()
            .map(Row::new)
            .collect::<Result<_>>()?;
        *out = boxed(crm_field_list { items });
        Ok(())
    })
}

/// The number of fields in the list; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_field_list_len(list: *const crm_field_list) -> usize {
    // SAFETY: NULL or a live list.
    read("crm_field_list_len", unsafe { list.as_ref() }, 0, |l| {
        l.items.len()
    })
}

/// The name of field `i`, or NULL when `i` is out of range. Valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_field_list_name(
    list: *const crm_field_list,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_field_list_name",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |r| r.name.as_ptr(),
    )
}

/// The type of field `i`: `"text"`, `"integer"`, `"decimal"`, `"boolean"`, `"date"`, `"enum"` or
/// `"multi_enum"`. A static string (valid for the whole program); NULL when `i` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_field_list_type(
    list: *const crm_field_list,
    i: usize,
) -> *const c_char {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    // SAFETY: NULL or a live list.
    read_row(
        "crm_field_list_type",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |r| static_name(&NAMES, CustomFieldType::NAMES, r.ty.as_str()),
    )
}

/// 1 when field `i` is required, else 0 (also when `i` is out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_field_list_required(list: *const crm_field_list, i: usize) -> c_int {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_field_list_required",
        unsafe { list.as_ref() },
        i,
        0,
        |r| c_int::from(r.required),
    )
}

/// 1 when field `i` holds personal data, else 0 (also when `i` is out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_field_list_personal(list: *const crm_field_list, i: usize) -> c_int {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_field_list_personal",
        unsafe { list.as_ref() },
        i,
        0,
        |r| c_int::from(r.personal),
    )
}

/// 1 when field `i` is backed by an index, else 0 (also when `i` is out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_field_list_indexed(list: *const crm_field_list, i: usize) -> c_int {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_field_list_indexed",
        unsafe { list.as_ref() },
        i,
        0,
        |r| c_int::from(r.indexed),
    )
}

/// 1 when field `i` is retired, else 0 (also when `i` is out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_field_list_retired(list: *const crm_field_list, i: usize) -> c_int {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_field_list_retired",
        unsafe { list.as_ref() },
        i,
        0,
        |r| c_int::from(r.retired),
    )
}

/// The default of field `i` in its text form (as `crm_customer_field_text` gives values), or NULL
/// when it has none or `i` is out of range. Valid until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_field_list_default(
    list: *const crm_field_list,
    i: usize,
) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_field_list_default",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |r| opt_ptr(&r.default),
    )
}

/// The number of choices of field `i` (0 for types without choices, or when `i` is out of range).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_field_list_choices_len(
    list: *const crm_field_list,
    i: usize,
) -> usize {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_field_list_choices_len",
        unsafe { list.as_ref() },
        i,
        0,
        |r| r.choices.len(),
    )
}

/// Choice `k` of field `i`, in definition order, or NULL when `i` or `k` is out of range. Valid
/// until the list is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_field_list_choice(
    list: *const crm_field_list,
    i: usize,
    k: usize,
) -> *const c_char {
    // SAFETY: NULL or a live list.
    read_row(
        "crm_field_list_choice",
        unsafe { list.as_ref() },
        i,
        ptr::null(),
        |r| r.choices.get(k).map_or(ptr::null(), |c| c.as_ptr()),
    )
}

/// Frees a list from `crm_field_all`. Does nothing when `list` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_field_list_free(list: *mut crm_field_list) {
    guard_value("crm_field_list_free", (), || {
        if !list.is_null() {
            // SAFETY: a list from Box::into_raw, freed once by the contract.
            drop(unsafe { Box::from_raw(list) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm_code::*;
    use crate::db::{crm_close, crm_open};
    use std::ffi::CStr;
    use std::mem::MaybeUninit;

    fn s<'a>(p: *const c_char) -> &'a str {
        assert!(!p.is_null());
        unsafe { CStr::from_ptr(p) }.to_str().unwrap()
    }

    fn definition() -> crm_field_definition {
        let mut d = MaybeUninit::<crm_field_definition>::uninit();
        unsafe { crm_field_definition_init(d.as_mut_ptr(), size_of::<crm_field_definition>()) };
        unsafe { d.assume_init() }
    }

    #[test]
    fn define_list_and_refuse() {
        let mut db = ptr::null_mut();
        assert_eq!(
            unsafe { crm_open(c":memory:".as_ptr(), ptr::null(), &mut db) },
            0
        );
        let choices = [c"north".as_ptr(), c"south".as_ptr()];
        let mut d = definition();
        d.name = c"region".as_ptr();
        d.r#type = c"enum".as_ptr();
        d.choices = choices.as_ptr();
        d.choices_len = 2;
        d.indexed = 1;
        d.default_value = c"north".as_ptr();
        assert_eq!(unsafe { crm_field_define(db, &d) }, 0);
        assert_eq!(
            unsafe { crm_field_define(db, &d) },
            CRM_ALREADY_EXISTS as c_int
        );
        let mut bad = definition();
        bad.name = c"tier".as_ptr();
        bad.r#type = c"integer".as_ptr();
        bad.default_value = c"high".as_ptr();
        assert_eq!(
            unsafe { crm_field_define(db, &bad) },
            CRM_INVALID_INPUT as c_int
        );
        bad.default_value = c"3".as_ptr();
        assert_eq!(unsafe { crm_field_define(db, &bad) }, 0);
        assert_eq!(
            unsafe { crm_field_retire(db, ptr::null(), c"tier".as_ptr()) },
            0
        );

        let mut list = ptr::dangling_mut();
        let code = unsafe { crm_field_all(db, c"ticket".as_ptr(), 0, &mut list) };
        assert_eq!(code, CRM_INVALID_INPUT as c_int);
        assert!(list.is_null());
        assert_eq!(unsafe { crm_field_all(db, ptr::null(), 0, &mut list) }, 0);
        assert_eq!(unsafe { crm_field_list_len(list) }, 1);
        unsafe { crm_field_list_free(list) };
        assert_eq!(unsafe { crm_field_all(db, ptr::null(), 1, &mut list) }, 0);
        assert_eq!(unsafe { crm_field_list_len(list) }, 2);
        assert_eq!(s(unsafe { crm_field_list_name(list, 0) }), "region");
        assert_eq!(s(unsafe { crm_field_list_type(list, 0) }), "enum");
        assert_eq!(s(unsafe { crm_field_list_type(list, 1) }), "integer");
        assert_eq!(s(unsafe { crm_field_list_default(list, 1) }), "3");
        assert_eq!(unsafe { crm_field_list_indexed(list, 0) }, 1);
        assert_eq!(unsafe { crm_field_list_retired(list, 1) }, 1);
        assert_eq!(unsafe { crm_field_list_choices_len(list, 0) }, 2);
        assert_eq!(s(unsafe { crm_field_list_choice(list, 0, 1) }), "south");
        assert!(unsafe { crm_field_list_choice(list, 0, 2) }.is_null());
        assert!(unsafe { crm_field_list_name(list, 2) }.is_null());
        unsafe { crm_field_list_free(list) };
        unsafe { crm_close(db) };
    }
}

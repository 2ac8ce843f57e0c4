//! The one place where a `crm_core::Error` becomes a Python exception.
//!
//! The exception classes live in the pure-Python module `crm.exceptions` (each also inherits the
//! builtin that fits, which `create_exception!` cannot express). They are looked up once, by the
//! error code's name, and cached.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

/// The error type of every binding function: an error from the core, or one raised by Python
/// itself while converting arguments or results.
#[derive(Debug)]
pub enum PyCrmError {
    /// An error from `crm-core`; becomes the `crm.exceptions` class of its code.
    Core(crm_core::Error),
    /// An exception already raised by Python.
    Python(PyErr),
}

/// `Result` of the binding functions.
pub type PyCrmResult<T> = Result<T, PyCrmError>;

impl From<crm_core::Error> for PyCrmError {
    fn from(e: crm_core::Error) -> PyCrmError {
        PyCrmError::Core(e)
    }
}

impl From<PyErr> for PyCrmError {
    fn from(e: PyErr) -> PyCrmError {
        PyCrmError::Python(e)
    }
}

impl From<PyCrmError> for PyErr {
    fn from(e: PyCrmError) -> PyErr {
        match e {
            PyCrmError::Python(err) => err,
            PyCrmError::Core(err) => Python::attach(|py| core_to_pyerr(py, &err)),
        }
    }
}

/// An `INVALID_ARGUMENT` error with this message.
pub fn invalid_argument(message: impl Into<String>) -> PyCrmError {
    PyCrmError::Core(crm_core::Error::InvalidArgument(message.into()))
}

/// `crm.exceptions._BY_CODE_NAME`: code name → exception class.
static CLASSES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

fn classes(py: Python<'_>) -> PyResult<&Bound<'_, PyDict>> {
    CLASSES
        .get_or_try_init(py, || -> PyResult<Py<PyDict>> {
            let by_name = py.import("crm.exceptions")?.getattr("_BY_CODE_NAME")?;
            Ok(by_name.cast_into::<PyDict>()?.unbind())
        })
        .map(|d| d.bind(py))
}

fn core_to_pyerr(py: Python<'_>, err: &crm_core::Error) -> PyErr {
    let code = err.code();
    let message = err.to_string();
    let build = || -> PyResult<PyErr> {
        let classes = classes(py)?;
        let class = match classes.get_item(code.name())? {
            Some(c) => c,
            // A code newer than the Python package: still a CrmError, with its number.
            None => py.import("crm.exceptions")?.getattr("CrmError")?,
        };
        let exc = class.call1((message.as_str(),))?;
        exc.setattr("code", code.as_i32())?;
        exc.setattr("code_name", code.name())?;
        Ok(PyErr::from_value(exc))
    };
    // Only a broken installation (no `crm.exceptions`) lands here; keep the message and code.
    build().unwrap_or_else(|import_error| {
        let e = PyRuntimeError::new_err(format!("[{}] {message}", code.name()));
        e.set_cause(py, Some(import_error));
        e
    })
}

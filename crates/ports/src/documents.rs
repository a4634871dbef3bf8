//! Renders issued documents (invoices, receipts, credit notes) as files for customers, with
//! the seller's logo.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::Invoice;

/// The image formats a logo may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogoFormat {
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
}

impl LogoFormat {
    /// The MIME type.
    #[must_use]
    pub const fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }
}

/// Why an image cannot be the logo.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LogoError {
    /// Neither PNG nor JPEG.
    #[error("the logo must be a PNG or JPEG image")]
    UnknownFormat,
    /// Too large for a document header.
    #[error("the logo is {size} bytes; at most {limit} are accepted")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Not base64.
    #[error("the logo is not valid base64")]
    NotBase64,
}

/// The seller's logo, printed at the top of every document. Stored as base64 text.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredLogo", into = "StoredLogo")]
pub struct Logo {
    format: LogoFormat,
    bytes: Vec<u8>,
}

impl std::fmt::Debug for Logo {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Logo")
            .field("format", &self.format)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

impl Logo {
    /// The largest logo accepted.
    pub const MAX_BYTES: usize = 512 * 1024;

    /// Checks an image: PNG or JPEG (by its signature), at most [`Self::MAX_BYTES`].
    ///
    /// # Errors
    /// [`LogoError::UnknownFormat`], [`LogoError::TooLarge`].
    pub fn new(bytes: Vec<u8>) -> Result<Self, LogoError> {
        if bytes.len() > Self::MAX_BYTES {
            return Err(LogoError::TooLarge {
                size: bytes.len(),
                limit: Self::MAX_BYTES,
            });
        }
        let format = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            LogoFormat::Png
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            LogoFormat::Jpeg
        } else {
            return Err(LogoError::UnknownFormat);
        };
        Ok(Self { format, bytes })
    }

    /// Checks a base64-encoded image.
    ///
    /// # Errors
    /// [`LogoError`].
    pub fn from_base64(text: &str) -> Result<Self, LogoError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| LogoError::NotBase64)?;
        Self::new(bytes)
    }

    /// PNG or JPEG.
    #[must_use]
    pub const fn format(&self) -> LogoFormat {
        self.format
    }

    /// The image file.
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// How a logo is kept in the settings.
#[derive(Serialize, Deserialize)]
struct StoredLogo {
    format: LogoFormat,
    base64: String,
}

impl TryFrom<StoredLogo> for Logo {
    type Error = LogoError;

    fn try_from(stored: StoredLogo) -> Result<Self, Self::Error> {
        Self::from_base64(&stored.base64)
    }
}

impl From<Logo> for StoredLogo {
    fn from(logo: Logo) -> Self {
        Self {
            format: logo.format,
            base64: STANDARD.encode(&logo.bytes),
        }
    }
}

/// Why a document could not be rendered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the document could not be rendered: {0}")]
pub struct DocumentError(pub String);

/// Turns an issued document into a file (Kasa's is a PDF, `kasa-pdf`).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait DocumentRenderer: Send + Sync {
    /// The file's MIME type, e.g. `application/pdf`.
    fn content_type(&self) -> &'static str;

    /// The file name's extension, e.g. `pdf`.
    fn extension(&self) -> &'static str;

    /// Renders `invoice`, with the seller's `logo` when there is one.
    ///
    /// # Errors
    /// [`DocumentError`] when the renderer fails.
    // The named lifetime is for mockall, which cannot mock an elided `Option<&T>`.
    #[allow(clippy::needless_lifetimes)]
    fn render<'logo>(
        &self,
        invoice: &Invoice,
        logo: Option<&'logo Logo>,
    ) -> Result<Vec<u8>, DocumentError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_logo_is_a_png_or_jpeg_of_bounded_size_and_round_trips_as_base64() {
        let png = Logo::new(b"\x89PNG\r\n\x1a\nrest".to_vec()).unwrap();
        assert_eq!(png.format(), LogoFormat::Png);
        let json = serde_json::to_value(&png).unwrap();
        assert_eq!(json["format"], "png");
        assert_eq!(serde_json::from_value::<Logo>(json).unwrap(), png);
        assert_eq!(
            Logo::new(vec![0xFF, 0xD8, 0xFF, 0xE0]).unwrap().format(),
            LogoFormat::Jpeg
        );
        assert_eq!(Logo::new(b"GIF89a".to_vec()), Err(LogoError::UnknownFormat));
        assert!(matches!(
            Logo::new([&[0xFF, 0xD8, 0xFF][..], &vec![0; Logo::MAX_BYTES]].concat()),
            Err(LogoError::TooLarge { .. })
        ));
        assert_eq!(Logo::from_base64("not base64!"), Err(LogoError::NotBase64));
        assert!(format!("{png:?}").contains("bytes: 12"));
    }
}

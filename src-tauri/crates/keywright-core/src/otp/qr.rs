//! QR codes: reading every code in a PNG or JPEG image (`image` decodes, `rqrr` finds and
//! reads the codes) and drawing one as SVG or PNG (`qrcode`).
//!
//! The texts are usually otpauth:// URIs, i.e. secrets: callers keep them short-lived.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits, Luma};
use qrcode::{EcLevel, QrCode};

use crate::error::{Error, Result};
use crate::limits::{MAX_QR_DECODE_ALLOC, MAX_QR_IMAGE_BYTES, MAX_QR_IMAGE_SIDE};
/// Pixels per QR module in [`png`].
const MODULE_PX: u32 = 8;

fn bad_image(reason: impl Into<String>) -> Error {
    Error::invalid("image", reason)
}

/// The text of every QR code in a PNG or JPEG image, in the order they were found.
///
/// Errors: not a PNG/JPEG ("not an image"), a file over [`MAX_QR_IMAGE_BYTES`], an image
/// wider or taller than [`MAX_QR_IMAGE_SIDE`] (read from its header, before decoding), an
/// image that cannot be decoded, or no readable QR code in it.
pub fn decode_image(bytes: &[u8]) -> Result<Vec<String>> {
    if bytes.len() > MAX_QR_IMAGE_BYTES {
        return Err(bad_image(format!(
            "is {} bytes; Keywright reads images of at most {MAX_QR_IMAGE_BYTES} bytes ({} MiB)",
            bytes.len(),
            MAX_QR_IMAGE_BYTES >> 20
        )));
    }
    let format = image::guess_format(bytes)
        .ok()
        .filter(|f| matches!(f, ImageFormat::Png | ImageFormat::Jpeg))
        .ok_or_else(|| bad_image("is not an image (PNG or JPEG expected)"))?;
    let reader = |sides: Option<u32>| {
        let mut limits = Limits::default();
        limits.max_image_width = sides;
        limits.max_image_height = sides;
        limits.max_alloc = Some(MAX_QR_DECODE_ALLOC);
        let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
        reader.limits(limits);
        reader
    };
    // The header first: a 12000 × 12000 image is refused without decoding a pixel (the
    // decoder's own side limits would say only "exceeds limit").
    let (w, h) = reader(None)
        .into_dimensions()
        .map_err(|e| bad_image(format!("cannot be decoded: {e}")))?;
    if w > MAX_QR_IMAGE_SIDE || h > MAX_QR_IMAGE_SIDE {
        return Err(bad_image(format!(
            "is {w} × {h} pixels; Keywright reads images of at most {MAX_QR_IMAGE_SIDE} × \
             {MAX_QR_IMAGE_SIDE} (crop or scale it down)"
        )));
    }
    let img = reader(Some(MAX_QR_IMAGE_SIDE))
        .decode()
        .map_err(|e| bad_image(format!("cannot be decoded: {e}")))?
        .into_luma8();
    let (w, h) = img.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w as usize, h as usize, |x, y| {
            // x < w and y < h, which are u32.
            img.get_pixel(x as u32, y as u32).0[0]
        });
    let grids = prepared.detect_grids();
    if grids.is_empty() {
        return Err(bad_image("has no QR code (none found)"));
    }
    let found = grids.len();
    let texts: Vec<String> = grids
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect();
    if texts.is_empty() {
        return Err(bad_image(format!(
            "has {found} QR code(s) that could not be read; try a sharper, straight picture"
        )));
    }
    Ok(texts)
}

fn code(text: &str) -> Result<QrCode> {
    QrCode::with_error_correction_level(text, EcLevel::M)
        .map_err(|e| Error::invalid("QR code", format!("cannot hold this text: {e}")))
}

/// An SVG drawing of the QR code of `text` (black on white, with a quiet zone).
pub fn svg(text: &str) -> Result<String> {
    Ok(code(text)?
        .render::<qrcode::render::svg::Color<'_>>()
        .quiet_zone(true)
        .min_dimensions(256, 256)
        .build())
}

/// A PNG of the QR code of `text`: 8-pixel modules and the 4-module quiet zone, so phone
/// cameras read it from a screen.
pub fn png(text: &str) -> Result<Vec<u8>> {
    let img = code(text)?
        .render::<Luma<u8>>()
        .quiet_zone(true)
        .module_dimensions(MODULE_PX, MODULE_PX)
        .build();
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png)
        .map_err(|e| Error::invalid("QR code", format!("PNG encoding failed: {e}")))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    const URI: &str =
        "otpauth://totp/Example:alice@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example";

    #[test]
    fn png_round_trips_through_decode() {
        let png = png(URI).expect("png");
        assert!(png.starts_with(b"\x89PNG"));
        assert_eq!(decode_image(&png).expect("decodes"), vec![URI.to_owned()]);
    }

    #[test]
    fn png_has_eight_pixel_modules_and_a_quiet_zone() {
        let png = png(URI).expect("png");
        let img = image::load_from_memory(&png).expect("image").into_luma8();
        let modules = code(URI).expect("code").width() as u32;
        assert_eq!(img.width(), (modules + 8) * MODULE_PX);
        // The quiet zone is white; the finder pattern's corner right after it is black.
        assert_eq!(img.get_pixel(0, 0).0[0], 255);
        assert_eq!(
            img.get_pixel(4 * MODULE_PX - 1, 4 * MODULE_PX - 1).0[0],
            255
        );
        assert_eq!(img.get_pixel(4 * MODULE_PX, 4 * MODULE_PX).0[0], 0);
    }

    #[test]
    fn jpeg_is_read_too() {
        let img = image::load_from_memory(&png(URI).expect("png"))
            .expect("image")
            .into_rgb8();
        let mut jpeg = Cursor::new(Vec::new());
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
            .encode_image(&img)
            .expect("jpeg");
        let jpeg = jpeg.into_inner();
        assert!(jpeg.starts_with(&[0xFF, 0xD8, 0xFF]));
        assert_eq!(decode_image(&jpeg).expect("decodes"), vec![URI.to_owned()]);
    }

    #[test]
    fn svg_is_an_svg_document() {
        let svg = svg(URI).expect("svg");
        assert!(svg.contains("<svg"));
        assert!(svg.contains("</svg>"));
    }

    #[test]
    fn not_an_image_is_refused() {
        let err = decode_image(b"otpauth://totp/x?secret=JBSWY3DPEHPK3PXP").expect_err("text");
        assert!(err.to_string().contains("not an image"), "{err}");
        // PNG magic but a broken body.
        let err = decode_image(b"\x89PNG\r\n\x1a\nbroken").expect_err("damaged");
        assert!(err.to_string().contains("cannot be decoded"), "{err}");
    }

    #[test]
    fn image_without_a_code_is_refused() {
        let blank = image::GrayImage::from_pixel(200, 120, Luma([255]));
        let mut png = Cursor::new(Vec::new());
        blank.write_to(&mut png, ImageFormat::Png).expect("png");
        let err = decode_image(png.get_ref()).expect_err("blank");
        assert!(err.to_string().contains("no QR code"), "{err}");
    }

    #[test]
    fn too_long_text_is_refused() {
        let long = "A".repeat(8000);
        assert!(png(&long).is_err());
        assert!(svg(&long).is_err());
    }
}

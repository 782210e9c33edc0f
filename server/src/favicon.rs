//! `/favicon.ico`: Roster's icon, a white "R" on the accent blue, drawn at start-up as a 16×16
//! Windows icon (the one format every browser asks for by that name).

/// The letter, one string per row from the top; `#` is white, anything else blue.
const GLYPH: [&str; 16] = [
    "                ",
    "                ",
    "   #########    ",
    "   ##########   ",
    "   ###    ###   ",
    "   ###    ###   ",
    "   ###    ###   ",
    "   ##########   ",
    "   #########    ",
    "   ###  ###     ",
    "   ###   ###    ",
    "   ###   ###    ",
    "   ###    ###   ",
    "   ###     ###  ",
    "                ",
    "                ",
];

/// Accent blue (#0b5cad) and white, as blue-green-red-alpha.
const BLUE: [u8; 4] = [0xad, 0x5c, 0x0b, 0xff];
const WHITE: [u8; 4] = [0xff, 0xff, 0xff, 0xff];

/// The icon file's bytes.
pub fn ico() -> Vec<u8> {
    const SIZE: u32 = 16;
    let pixels = (SIZE * SIZE * 4) as usize;
    let mask = (SIZE * 4) as usize; // 1 bit per pixel, rows padded to 32 bits
    let image_len = 40 + pixels + mask;
    let mut out = Vec::with_capacity(6 + 16 + image_len);
    // ICONDIR: reserved, type 1 (icon), one image.
    out.extend_from_slice(&[0, 0, 1, 0, 1, 0]);
    // ICONDIRENTRY: width, height, no palette, reserved, 1 plane, 32 bits, size, offset.
    out.extend_from_slice(&[SIZE as u8, SIZE as u8, 0, 0, 1, 0, 32, 0]);
    out.extend_from_slice(&(image_len as u32).to_le_bytes());
    out.extend_from_slice(&22u32.to_le_bytes());
    // BITMAPINFOHEADER; the height counts the colour rows and the mask rows.
    out.extend_from_slice(&40u32.to_le_bytes());
    out.extend_from_slice(&(SIZE as i32).to_le_bytes());
    out.extend_from_slice(&((SIZE * 2) as i32).to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&32u16.to_le_bytes());
    out.extend_from_slice(&[0u8; 24]);
    // Rows are stored bottom-up.
    for row in GLYPH.iter().rev() {
        for c in row
            .bytes()
            .chain(std::iter::repeat(b' '))
            .take(SIZE as usize)
        {
            out.extend_from_slice(if c == b'#' { &WHITE } else { &BLUE });
        }
    }
    // The transparency mask: all opaque.
    out.extend(std::iter::repeat_n(0u8, mask));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_icon_is_a_well_formed_16_pixel_ico() {
        let ico = super::ico();
        assert_eq!(&ico[..4], &[0, 0, 1, 0]);
        let size = u32::from_le_bytes([ico[14], ico[15], ico[16], ico[17]]) as usize;
        let offset = u32::from_le_bytes([ico[18], ico[19], ico[20], ico[21]]) as usize;
        assert_eq!(offset + size, ico.len());
        assert_eq!(ico[6], 16);
    }
}

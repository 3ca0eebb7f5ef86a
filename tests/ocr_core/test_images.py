"""The decode step: base64 errors, formats by content, the pixel bound, GIF errors, hostile bytes."""
from __future__ import annotations

import base64
import io
import random
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile, features

from ocr_core.errors import Base64IllegalCharacters, Base64Padding, DataUrlHeader, GifDecodeFailed, GifEmpty, GifNoColorMap, GifOpenFailed, GifReadFailed, ImageDecodeFailed, ImageEmpty, ImageTooLarge, ServiceError
from ocr_core.settings import RecognitionSettings
from ocr_core.steps import decode as decode_step
from ocr_core.steps.decode import ImageInfo, decode_base64, decode_image, decode_pages, probe_image

RED = (200, 30, 60)  # RGB; decoded arrays are BGR


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def solid(mode: str = "RGB", color=RED, size=(40, 30)) -> Image.Image:
    return Image.new(mode, size, color)


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int, height: int, depth: int) -> bytes:
    """A grey PNG whose zeros compress to almost nothing and would decode to width x height pixels."""
    row = bytes(1 + (width * depth + 7) // 8)
    compressor = zlib.compressobj(1)
    rows_per_chunk = max(1, 4_000_000 // len(row))
    idat = b"".join(compressor.compress(row * min(rows_per_chunk, height - y)) for y in range(0, height, rows_per_chunk))
    idat += compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, depth, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def assert_color(array: np.ndarray, rgb, tolerance: int = 12) -> None:
    expected = np.array(rgb[::-1], dtype=float)
    assert np.abs(array.reshape(-1, 3).mean(axis=0) - expected).max() <= tolerance


# -- base64 ----------------------------------------------------------------------------

def test_base64_round_trip_and_mime_line_breaks():
    data = bytes(range(256)) * 40
    assert decode_base64(base64.b64encode(data).decode()) == data
    # Java's MIME encoder: CRLF every 76 characters; also stray spaces and tabs.
    mime = base64.encodebytes(data).decode().replace("\n", "\r\n")
    assert decode_base64(" \t" + mime + "\n") == data


def test_base64_ten_mebibytes_with_line_breaks():
    data = random.Random(1).randbytes(7 * 1024 * 1024)
    text = base64.encodebytes(data).decode()  # ~9.5 MiB with line breaks
    assert decode_base64(text) == data


@pytest.mark.parametrize("value", ["", "   ", "\r\n\t "])
def test_base64_empty(value):
    with pytest.raises(ImageEmpty) as err:
        decode_base64(value)
    assert type(err.value) is ImageEmpty
    assert err.value.error_msg == (
        "Invalid Input - image data error - input image empty, please check your image binary data"
    )
    assert err.value.code == 462


@pytest.mark.parametrize("header", [
    "data:image/png;base64,",
    "data:image/jpeg;base64,",
    "data:image/jpg:base64,",  # the reference's own spelling
    "DATA:IMAGE/PNG;BASE64,",
])
def test_base64_data_url_header(header):
    with pytest.raises(DataUrlHeader) as err:
        decode_base64(header + base64.b64encode(b"\x89PNG").decode())
    assert err.value.error_msg == f"Invalid Input - image data error - please remove additional header: {header}"


@pytest.mark.parametrize("value", ["abc$", "ab-_", "ab_d", "YWJj\x00", "中文字符", "YW Jj*"])
def test_base64_illegal_characters(value):
    with pytest.raises(Base64IllegalCharacters) as err:
        decode_base64(value)
    assert err.value.error_msg == (
        "Invalid Input - image data error - base64decode error: base64decode error: incorrect base64 format data"
    )


@pytest.mark.parametrize("value", ["abc", "abcde", "YWJjZA", "ab=c", "a===", "====", "YQ==YQ==", "="])
def test_base64_padding(value):
    with pytest.raises(Base64Padding) as err:
        decode_base64(value)
    assert err.value.error_msg == (
        "Invalid Input - image data error - base64decode error: incorrect padding in base64 string"
    )


# -- formats ---------------------------------------------------------------------------

def netpbm_plain(magic: bytes, size=(4, 3), values: bytes = b"") -> bytes:
    return magic + b"\n%d %d\n" % size + values


FORMATS = {
    "BMP": (lambda: encode(solid(), "BMP"), "BMP", RED),
    "JPEG": (lambda: encode(solid(), "JPEG", quality=95), "JPEG", RED),
    "JP2": (lambda: encode(solid(), "JPEG2000"), "JPEG2000", RED),
    "J2K codestream": (lambda: encode(solid(), "JPEG2000", no_jp2=True), "JPEG2000", RED),
    "PNG": (lambda: encode(solid(), "PNG"), "PNG", RED),
    "PNG palette": (lambda: encode(solid().convert("P"), "PNG"), "PNG", RED),
    "PBM P4": (lambda: encode(solid("1", 0), "PPM"), "PPM", (0, 0, 0)),
    "PGM P5": (lambda: encode(solid("L", 90), "PPM"), "PPM", (90, 90, 90)),
    "PPM P6": (lambda: encode(solid(), "PPM"), "PPM", RED),
    "PBM P1": (lambda: netpbm_plain(b"P1", (40, 30)) + b"1 " * 1200, "PPM", (0, 0, 0)),
    "PGM P2": (lambda: netpbm_plain(b"P2", (40, 30)) + b"255\n" + b"90 " * 1200, "PPM", (90, 90, 90)),
    "PPM P3": (lambda: netpbm_plain(b"P3", (40, 30)) + b"255\n" + b"200 30 60 " * 1200, "PPM", RED),
    "TIFF": (lambda: encode(solid(), "TIFF"), "TIFF", RED),
    "TIFF deflate": (lambda: encode(solid(), "TIFF", compression="tiff_adobe_deflate"), "TIFF", RED),
    "GIF": (lambda: encode(solid().convert("P"), "GIF"), "GIF", RED),
    "WebP lossless": (lambda: encode(solid(), "WEBP", lossless=True), "WEBP", RED),
    "WebP lossy": (lambda: encode(solid(), "WEBP", quality=95), "WEBP", RED),
    "HEIC": (lambda: encode(solid(), "HEIF", quality=95), "HEIF", RED),
    "AVIF": (lambda: encode(solid(), "AVIF", quality=95), "AVIF", RED),
}


@pytest.mark.parametrize("name", FORMATS)
def test_every_accepted_format_decodes(name):
    if name == "AVIF" and not features.check("avif"):
        pytest.skip("this Pillow has no AVIF")
    make, fmt, rgb = FORMATS[name]
    data = make()
    assert probe_image(data) == ImageInfo(fmt, 40, 30, 1)
    array = decode_image(data)
    assert array.shape == (30, 40, 3) and array.dtype == np.uint8 and array.flags.c_contiguous
    assert_color(array, rgb)


def test_format_comes_from_content_not_name():
    out = io.BytesIO()
    out.name = "scan.jpg"
    solid().save(out, "BMP")  # explicit format wins over the misleading name
    data = out.getvalue()
    assert probe_image(data).format == "BMP"
    assert_color(decode_image(data), RED, tolerance=0)
    # A PNG with trailing junk after IEND is still a PNG.
    assert probe_image(encode(solid(), "PNG") + b"JFIF\xff\xd8").format == "PNG"


@pytest.mark.parametrize("data", [
    encode(solid(), "ICO"),
    encode(solid(), "PCX"),
    encode(solid(), "DIB"),
    encode(solid("F", 0.5), "PPM"),  # PFM ("Pf"), read by Pillow's PPM plugin
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",  # a PDF header and nothing after it
    b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",
], ids=["ico", "pcx", "dib", "pfm", "broken pdf", "eps"])
def test_formats_outside_the_contract_are_refused(data):
    with pytest.raises(ImageDecodeFailed) as err:
        decode_image(data)
    assert type(err.value) is ImageDecodeFailed
    assert err.value.error_msg == (
        "Invalid Input - image data error - image decode failed, please check your image binary data"
    )


def test_exif_orientation_6_rotates_clockwise():
    image = Image.new("RGB", (40, 20), (255, 0, 0))
    image.paste((0, 0, 255), (20, 0, 40, 20))  # left red, right blue
    exif = Image.Exif()
    exif[0x0112] = 6
    array = decode_image(encode(image, "JPEG", exif=exif, quality=95))
    assert array.shape == (40, 20, 3)  # now portrait
    assert_color(array[:18], (255, 0, 0), tolerance=20)  # the left side is now on top
    assert_color(array[22:], (0, 0, 255), tolerance=20)


def test_rgba_composited_on_white():
    image = Image.new("RGBA", (40, 30), (0, 0, 0, 0))
    image.paste((0, 0, 255, 255), (20, 0, 40, 30))
    image.paste((0, 0, 0, 128), (0, 0, 10, 30))
    array = decode_image(encode(image, "PNG"))
    assert_color(array[:, 10:20], (255, 255, 255), tolerance=0)
    assert_color(array[:, 20:], (0, 0, 255), tolerance=0)
    assert_color(array[:, :10], (127, 127, 127), tolerance=1)


def test_grey_alpha_and_palette_transparency_composited_on_white():
    assert_color(decode_image(encode(Image.new("LA", (8, 8), (0, 0)), "PNG")), (255, 255, 255), tolerance=0)
    palette = Image.new("P", (8, 8), 1)
    palette.putpalette([0, 0, 0, 10, 20, 30])
    assert_color(decode_image(encode(palette, "PNG", transparency=1)), (255, 255, 255), tolerance=0)


def test_gif_transparent_index_composited_on_white():
    image = Image.new("P", (8, 8), 1)
    image.putpalette([0, 0, 0, 10, 20, 30])
    assert_color(decode_image(encode(image, "GIF", transparency=1)), (255, 255, 255), tolerance=0)


def test_16_bit_png_scaled_not_clipped():
    image = Image.fromarray(np.full((30, 40), 40000, dtype=np.uint16))
    data = encode(image, "PNG")
    assert Image.open(io.BytesIO(data)).mode == "I;16"
    assert_color(decode_image(data), (156, 156, 156), tolerance=0)  # 40000 >> 8


def test_16_bit_pgm():
    data = b"P5\n4 2\n65535\n" + np.full((2, 4), 0x8000, ">u2").tobytes()
    assert_color(decode_image(data), (128, 128, 128), tolerance=0)


def test_cmyk_jpeg():
    data = encode(Image.new("CMYK", (40, 30), (0, 255, 255, 0)), "JPEG", quality=95)
    assert Image.open(io.BytesIO(data)).mode == "CMYK"
    assert_color(decode_image(data), (255, 0, 0), tolerance=12)


def test_one_bit_tiff():
    image = Image.new("1", (40, 30), 1)
    image.paste(0, (0, 0, 20, 30))
    array = decode_image(encode(image, "TIFF", compression="group4"))
    assert_color(array[:, :20], (0, 0, 0), tolerance=0)
    assert_color(array[:, 20:], (255, 255, 255), tolerance=0)


def multipage_tiff(*pages: Image.Image) -> bytes:
    return encode(pages[0], "TIFF", save_all=True, append_images=list(pages[1:]))


def test_multipage_tiff_gives_every_page():
    colors = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    sizes = [(40, 30), (20, 50), (10, 10)]
    data = multipage_tiff(*(Image.new("RGB", s, c) for s, c in zip(sizes, colors)))
    assert probe_image(data) == ImageInfo("TIFF", 40, 30, 3)
    pages = decode_pages(data)
    assert [p.shape for p in pages] == [(30, 40, 3), (50, 20, 3), (10, 10, 3)]
    for page, color in zip(pages, colors):
        assert_color(page, color, tolerance=0)
    assert_color(decode_image(data), colors[0], tolerance=0)


def test_every_tiff_page_is_bounded():
    data = multipage_tiff(Image.new("L", (10, 10)), Image.new("L", (100, 100)))
    assert decode_image(data, max_pixels=5000).shape == (10, 10, 3)
    with pytest.raises(ImageTooLarge) as err:
        decode_pages(data, max_pixels=5000)
    assert err.value.error_msg == "Invalid Input - image data error - image too large: 100x100"


def test_other_formats_give_one_page_and_gif_its_first_frame():
    assert len(decode_pages(encode(solid(), "PNG"))) == 1
    frames = [Image.new("RGB", (16, 16), c).convert("P") for c in ((255, 0, 0), (0, 0, 255))]
    gif = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert probe_image(gif).frames == 2
    (page,) = decode_pages(gif)
    assert_color(page, (255, 0, 0), tolerance=0)


# -- the pixel bound -------------------------------------------------------------------

@pytest.fixture(scope="module")
def huge_png() -> bytes:
    return png_bomb(50_000, 50_000, 1)  # 2.5 Gpx: 312 MB as bits, 7.5 GB as BGR


@pytest.fixture()
def no_decoding(monkeypatch):
    """Pillow decodes a picture's pixels in ImageFile.load: a test with this fixture fails if it is called."""
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail(f"{self.format} {self.size} decoded"))


def test_pixel_bound_refused_before_decoding(huge_png, no_decoding):
    assert len(huge_png) < 2_000_000
    for call in (probe_image, decode_image, decode_pages):
        with pytest.raises(ImageTooLarge) as err:
            call(huge_png)
        assert err.value.code == 462
        assert err.value.error_msg.startswith("Invalid Input - image data error - image too large: ")
    # Allowed by a huge bound, it would still be refused by Pillow's guard (twice its limit).
    with pytest.raises(ImageTooLarge) as err:
        decode_image(huge_png, max_pixels=10**10)
    assert err.value.error_msg == "Invalid Input - image data error - image too large: 2500000000 pixels"


def test_pixel_bound_from_settings_under_pillows_guard(monkeypatch, no_decoding):
    bomb = png_bomb(8000, 8000, 8)  # 64 Mpx: under Pillow's guard, over our default 40 Mpx
    monkeypatch.setattr(decode_step, "get_settings", lambda: RecognitionSettings())
    with pytest.raises(ImageTooLarge) as err:
        decode_image(bomb)
    assert err.value.error_msg == "Invalid Input - image data error - image too large: 8000x8000"


def test_pixel_bound_is_inclusive():
    data = encode(Image.new("L", (100, 50)), "PNG")
    assert decode_image(data, max_pixels=5000).shape == (50, 100, 3)
    with pytest.raises(ImageTooLarge, match="image too large: 100x50$"):
        decode_image(data, max_pixels=4999)


# -- GIF -------------------------------------------------------------------------------

LZW_ONE_PIXEL = b"\x02\x02\x44\x01\x00"  # minimum code size 2, one pixel of index 0, end


def gif(screen=(1, 1), frame=(1, 1), global_table=True, local_table=False, data=LZW_ONE_PIXEL) -> bytes:
    out = b"GIF89a" + struct.pack("<HHBBB", *screen, 0x80 if global_table else 0, 0, 0)
    if global_table:
        out += bytes((10, 20, 30, 0, 0, 0))
    out += b"!\xf9\x04\x00\x00\x00\x00\x00"  # a graphic control extension to walk past
    out += b"," + struct.pack("<HHHHB", 0, 0, *frame, 0x80 if local_table else 0)
    if local_table:
        out += bytes((200, 100, 50, 0, 0, 0))
    return out + data + b";"


def noise_gif() -> bytes:
    rng = np.random.default_rng(3)
    return encode(Image.fromarray(rng.integers(0, 255, (50, 60), dtype=np.uint8)).convert("P"), "GIF")


def gif_data_start(data: bytes) -> int:
    """Offset of the first frame's LZW minimum code size byte."""
    pos = 13 + (3 << ((data[10] & 7) + 1) if data[10] & 0x80 else 0)
    while data[pos] == 0x21:
        pos += 2
        while data[pos]:
            pos += data[pos] + 1
        pos += 1
    assert data[pos] == 0x2C and not data[pos + 9] & 0x80
    return pos + 10


def test_handmade_gifs_decode_with_global_or_local_table():
    assert_color(decode_image(gif()), (10, 20, 30), tolerance=0)
    assert_color(decode_image(gif(global_table=False, local_table=True)), (200, 100, 50), tolerance=0)


GIF_CASES = {
    "header cut short": (lambda: b"GIF89a\x01\x00", GifOpenFailed),
    "unknown block": (lambda: gif()[:13 + 6] + b"\x99" + gif()[20:], GifOpenFailed),
    "zero screen width": (lambda: gif(screen=(0, 1)), GifEmpty),
    "zero frame height": (lambda: gif(frame=(1, 0)), GifEmpty),
    "no frame": (lambda: gif()[:13 + 6 + 8] + b";", GifEmpty),
    "no color map": (lambda: gif(global_table=False), GifNoColorMap),
    "cut in the palette": (lambda: gif()[:15], GifReadFailed),
    "cut in the descriptor": (lambda: gif()[:30], GifReadFailed),
    "cut in the image data": (lambda: noise_gif()[: len(noise_gif()) // 2], GifReadFailed),
    "bad LZW code size": (lambda: (lambda d, i: d[:i] + b"\x0d" + d[i + 1:])(noise_gif(), gif_data_start(noise_gif())),
                          GifDecodeFailed),
    "garbage LZW codes": (lambda: (lambda d, i: d[:i + 1] + b"\xff" * 2000 + b"\x00;")(noise_gif(), gif_data_start(noise_gif())),
                          GifDecodeFailed),
}


@pytest.mark.parametrize("name", GIF_CASES)
def test_gif_errors(name):
    make, error = GIF_CASES[name]
    with pytest.raises(ServiceError) as err:
        decode_image(make())
    assert type(err.value) is error
    assert err.value.code == 462


def test_gif_messages():
    assert GifOpenFailed().error_msg == "Invalid Input - image data error - open gif image failed"
    assert GifReadFailed().error_msg == "Invalid Input - image data error - read gif image failed"
    assert GifDecodeFailed().error_msg == "Invalid Input - image data error - decode gif image failed"
    assert GifNoColorMap().error_msg == "Invalid Input - image data error - gif data error, no color map got"
    assert GifEmpty().error_msg == "Invalid Input - image data error - gif image empty"


# -- hostile bytes ---------------------------------------------------------------------

def test_empty_bytes():
    with pytest.raises(ImageEmpty):
        decode_image(b"")
    with pytest.raises(ImageEmpty):
        probe_image(b"")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "BMP", "TIFF"])
def test_truncated_images_fail_to_decode(fmt):
    data = encode(Image.fromarray(np.random.default_rng(5).integers(0, 255, (64, 64, 3), dtype=np.uint8)), fmt)
    with pytest.raises(ImageDecodeFailed) as err:
        decode_image(data[: len(data) * 2 // 3])
    assert type(err.value) is ImageDecodeFailed


def test_garbage_fails_to_decode():
    with pytest.raises(ImageDecodeFailed) as err:
        decode_image(random.Random(7).randbytes(5000))
    assert type(err.value) is ImageDecodeFailed


def fuzz_inputs(count: int) -> list[bytes]:
    rng = random.Random(2024)
    noise = Image.fromarray(np.random.default_rng(9).integers(0, 255, (24, 32, 3), dtype=np.uint8))
    samples = [
        encode(noise, "PNG"), encode(noise, "JPEG"), encode(noise, "BMP"), encode(noise, "TIFF"),
        encode(noise, "JPEG2000"), encode(noise, "JPEG2000", no_jp2=True), encode(noise, "PPM"),
        encode(noise.convert("P"), "GIF"), encode(noise.convert("1"), "PPM"),
        multipage_tiff(noise, noise.convert("L")),
        encode(noise, "WEBP"), encode(noise, "WEBP", lossless=True), encode(noise, "HEIF"),
        *([encode(noise, "AVIF")] if features.check("avif") else []),
        pdf(noise, noise.convert("L")),
    ]
    inputs = []
    for i in range(count):
        sample = samples[i % len(samples)]
        kind = rng.randrange(4)
        if kind == 0:
            data = rng.randbytes(rng.randrange(1, 2000))
        elif kind == 1:
            data = sample[: rng.randrange(1, len(sample))]
        elif kind == 2:
            data = bytearray(sample)
            for _ in range(rng.randrange(1, 8)):
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
            data = bytes(data)
        else:  # a valid magic and header start, then noise
            cut = rng.randrange(4, 40)
            data = sample[:cut] + rng.randbytes(rng.randrange(0, 500))
        inputs.append(data)
    return inputs


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's notes on corrupt TIFF tags
def test_hostile_inputs_only_raise_service_errors():
    for data in fuzz_inputs(450):
        for call in (decode_image, decode_pages):
            try:
                result = call(data, max_pixels=4_000_000)
            except ServiceError:
                continue
            arrays = result if isinstance(result, list) else [result]
            assert all(a.dtype == np.uint8 and a.ndim == 3 and a.shape[2] == 3 for a in arrays)


# -- WebP, HEIC, AVIF: the same bounds ------------------------------------------------

@pytest.mark.parametrize("fmt", ["WEBP", "HEIF", "AVIF"])
def test_new_formats_bounded_from_the_header(fmt, monkeypatch):
    if fmt == "AVIF" and not features.check("avif"):
        pytest.skip("this Pillow has no AVIF")
    data = encode(Image.new("RGB", (100, 50), RED), fmt)
    assert probe_image(data, max_pixels=5000).format == fmt
    loads = []
    plugin = type(Image.open(io.BytesIO(data)))  # WebPImageFile, HeifImageFile, AvifImageFile
    real_load = plugin.load
    monkeypatch.setattr(plugin, "load", lambda self: loads.append(1) or real_load(self))
    assert decode_image(data).shape == (50, 100, 3) and loads  # (the spy sees a decode)
    loads.clear()
    for call in (probe_image, decode_image, decode_pages):
        with pytest.raises(ImageTooLarge, match="image too large: 100x50$"):
            call(data, max_pixels=4999)
    assert not loads  # refused before any pixel was decoded


def test_heic_of_two_pictures_gives_its_primary_one():
    import pillow_heif
    heif = pillow_heif.from_pillow(Image.new("RGB", (40, 30), RED))
    heif.add_from_pillow(Image.new("RGB", (20, 20), (0, 0, 255)))  # a second top-level picture
    out = io.BytesIO()
    heif.save(out, quality=95)
    info = probe_image(out.getvalue())
    assert (info.format, info.width, info.height, info.pages) == ("HEIF", 40, 30, 1)
    assert_color(decode_image(out.getvalue()), RED)


def test_animated_webp_gives_its_first_frame():
    frames = [Image.new("RGB", (16, 16), c) for c in ((255, 0, 0), (0, 0, 255))]
    data = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    info = probe_image(data)
    assert info.frames == 2 and info.pages == 1
    (page,) = decode_pages(data)
    assert_color(page, (255, 0, 0), tolerance=2)


@pytest.mark.parametrize("fmt", ["WEBP", "HEIF"])
def test_broken_webp_and_heic_answer_462(fmt):
    data = encode(Image.fromarray(np.random.default_rng(5).integers(0, 255, (64, 64, 3), dtype=np.uint8)), fmt)
    for cut in (12, len(data) // 2):
        with pytest.raises(ImageDecodeFailed):
            decode_image(data[:cut])


# -- pages: PDF, multi-page TIFF, the page bound --------------------------------------

def pdf(*pages: Image.Image, resolution: float = 200.0) -> bytes:
    """A PDF of pictures (as a scanner writes one), each page sized so that 200 dpi gives the picture back."""
    return encode(pages[0], "PDF", save_all=True, append_images=list(pages[1:]), resolution=resolution)


def pixel_tiff(pages: int) -> bytes:
    """A TIFF of `pages` one-pixel grey pages, written IFD by IFD (Pillow would take minutes for 60 000)."""
    entries = ((256, 1), (257, 1), (258, 8), (259, 1), (262, 1), (273, None), (278, 1), (279, 1))
    ifd_size = 2 + len(entries) * 12 + 4
    out = bytearray(b"II*\x00" + struct.pack("<I", 8))
    for index in range(pages):
        pixel = len(out) + ifd_size
        out += struct.pack("<H", len(entries))
        for tag, value in entries:
            out += (struct.pack("<HHII", tag, 4, 1, pixel) if value is None else struct.pack("<HHIHH", tag, 3, 1, value, 0))
        out += struct.pack("<I", 0 if index == pages - 1 else pixel + 1)
        out.append(index * 37 % 256)
    return bytes(out)


def test_pdf_pages_rendered_at_200_dpi():
    colors = [(255, 0, 0), (0, 0, 255)]
    data = pdf(Image.new("RGB", (400, 300), colors[0]), Image.new("RGB", (200, 500), colors[1]))
    assert probe_image(data) == ImageInfo("PDF", 400, 300, 2)
    assert probe_image(data).pages == 2
    pages = decode_pages(data)
    assert [p.shape for p in pages] == [(300, 400, 3), (500, 200, 3)]
    assert all(p.dtype == np.uint8 and p.flags.c_contiguous for p in pages)
    for page, color in zip(pages, colors):
        assert_color(page, color, tolerance=2)
    assert_color(decode_image(data), colors[0], tolerance=2)  # the first page
    # A page of 72 dpi (its pixels are points) is rendered at 200 dpi: 200/72 larger.
    assert probe_image(pdf(Image.new("RGB", (72, 36)), resolution=72)) == ImageInfo("PDF", 200, 100, 1)


def test_pdf_page_over_the_pixel_bound_is_rendered_smaller():
    data = pdf(Image.new("RGB", (72, 72), RED), Image.new("RGB", (720, 720), (0, 0, 255)), resolution=72)
    pages = decode_pages(data, max_pixels=100_000)
    assert pages[0].shape == (200, 200, 3)  # 200 dpi: 40 000 px
    height, width, _ = pages[1].shape  # 200 dpi would be 2000 x 2000
    assert width * height <= 100_000 and width >= 300 and abs(width - height) <= 1
    assert_color(pages[1], (0, 0, 255), tolerance=2)


def test_document_decodes_one_page_at_a_time():
    data = pdf(*(Image.new("RGB", (30, 20), (i * 40, 0, 0)) for i in range(4)))
    with decode_step.Document(data) as document:
        assert len(document) == 4
        assert_color(document.picture(2), (80, 0, 0), tolerance=2)
        page = document.image(3)  # what `ocrq ingest` sends of one page
        assert page.mode == "RGB" and page.size == (30, 20) and page.getpixel((5, 5))[0] in range(118, 123)
    with decode_step.Document(multipage_tiff(solid(), solid(color=(0, 255, 0)))) as document:
        assert len(document) == 2
        assert_color(document.picture(1), (0, 255, 0), tolerance=0)


@pytest.mark.parametrize("make", [lambda n: pdf(*[Image.new("L", (8, 8), 255)] * n),
                                  lambda n: multipage_tiff(*[Image.new("L", (8, 8), 255)] * n)],
                         ids=["pdf", "tiff"])
def test_page_bound(make, monkeypatch):
    monkeypatch.setattr(decode_step, "get_settings", lambda: RecognitionSettings(max_pages=3))
    assert probe_image(make(3)).pages == 3
    assert len(decode_pages(make(3))) == 3
    with pytest.raises(ImageTooLarge) as err:
        probe_image(make(4))
    assert err.value.code == 462
    assert "OCR_MAX_PAGES" in err.value.error_msg and "3 pages" in err.value.error_msg
    assert probe_image(make(4), max_pages=4).pages == 4
    assert decode_image(make(4)).shape == (8, 8, 3)  # one page asked for: no page bound


def test_pdf_page_bound_message_names_the_count():
    with pytest.raises(ImageTooLarge) as err:
        probe_image(pdf(*[Image.new("L", (8, 8), 255)] * 5), max_pages=2)
    assert err.value.error_msg == ("Invalid Input - image data error - image too large: "
                                   "5 pages, more than the bound of 2 pages (OCR_MAX_PAGES)")


def test_hand_written_tiff_reads_as_pillow_reads_it():
    data = pixel_tiff(3)
    assert Image.open(io.BytesIO(data)).n_frames == 3
    assert probe_image(data) == ImageInfo("TIFF", 1, 1, 3)
    assert [p[0, 0, 0] for p in decode_pages(data)] == [0, 37, 74]


def test_tiff_of_60000_pages_refused_from_its_first_ifds(monkeypatch):
    data = pixel_tiff(60_000)
    assert len(data) > 6_000_000
    # Pillow's page count walks every IFD in full; it must not be asked, nor any page decoded.
    from PIL import TiffImagePlugin
    monkeypatch.setattr(TiffImagePlugin.TiffImageFile, "n_frames", property(lambda self: pytest.fail("n_frames")))
    first_page_only = TiffImagePlugin.TiffImageFile._seek
    monkeypatch.setattr(TiffImagePlugin.TiffImageFile, "_seek",
                        lambda self, frame: first_page_only(self, frame) if frame == 0 else pytest.fail("seek"))
    with pytest.raises(ImageTooLarge) as err:
        probe_image(data, max_pages=50)
    assert err.value.error_msg.endswith("image too large: more than 50 pages, the bound (OCR_MAX_PAGES)")
    # Counting stops one IFD past the bound.
    assert decode_step._tiff_pages(data, 50) == 51
    assert decode_step._tiff_pages(data, 10**6) == 60_000



def test_without_a_page_bound_every_tiff_page_is_there():
    # (`ocrq ingest` splits files itself.)
    with decode_step.Document(pixel_tiff(120), max_pages=0) as document:
        assert len(document) == 120
        assert document.picture(119)[0, 0, 0] == 119 * 37 % 256


def test_tiff_ifd_chain_that_loops_or_leaves_the_file_is_counted_once():
    data = bytearray(pixel_tiff(2))
    last_next = len(data) - 1 - 4
    struct.pack_into("<I", data, last_next, 8)  # page 2 points back to page 1
    assert decode_step._tiff_pages(bytes(data), 50) == 2
    struct.pack_into("<I", data, last_next, 10**9)  # past the end
    assert decode_step._tiff_pages(bytes(data), 50) == 2


def test_pdf_with_a_password_or_no_pages_answers_462():
    import pypdfium2
    empty = pypdfium2.PdfDocument.new()
    out = io.BytesIO()
    empty.save(out)
    plain = pdf(Image.new("L", (8, 8)))
    trailer = plain.rindex(b"trailer")
    # A user password (its /U check value matches no empty password): PDFium refuses to open it.
    encrypted = plain[:trailer] + plain[trailer:].replace(b"/Root", b"/Encrypt << /Filter /Standard /V 1 /R 2 /O <"
                                                          + b"41" * 32 + b"> /U <" + b"42" * 32 + b"> /P -4 >> /ID [<"
                                                          + b"43" * 16 + b"> <" + b"43" * 16 + b">] /Root", 1)
    assert probe_image(plain).format == "PDF"
    for data in (out.getvalue(), b"%PDF-1.7\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF",
                 encrypted):
        with pytest.raises(ServiceError) as err:
            probe_image(data)
        assert err.value.code == 462


def test_pdf_header_after_leading_bytes_but_a_picture_is_a_picture():
    data = pdf(Image.new("RGB", (40, 30), RED))
    assert probe_image(b"\r\n" + data).format == "PDF"  # PDFium finds the header in the first KiB
    png = encode(Image.new("RGB", (40, 30), RED), "PNG", pnginfo=_text_chunk("%PDF-1.4"))
    assert probe_image(png).format == "PNG"


def _text_chunk(text: str):
    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text)
    return info

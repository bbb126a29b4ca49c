"""Uploaded images: a real raster image, 5 MB at most, never SVG, stored under a new name."""

import os
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from PIL import Image

ALLOWED_IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp"]

validate_image_extension = FileExtensionValidator(
    allowed_extensions=ALLOWED_IMAGE_EXTENSIONS,
    message=(
        "“%(extension)s” files are not accepted. Upload a JPEG, PNG, GIF or WebP image "
        "(SVG is not accepted because it can carry scripts)."
    ),
)


def validate_image_size(upload):
    """Refuse uploads over MAX_UPLOAD_SIZE (5 MB)."""
    limit = settings.MAX_UPLOAD_SIZE
    if upload and upload.size > limit:
        raise ValidationError(
            "This image is %(size).1f MB; the limit is %(limit)d MB. Please upload a "
            "smaller image.",
            code="file_too_large",
            params={"size": upload.size / 1024 / 1024, "limit": limit // 1024 // 1024},
        )


# The format Pillow decodes → the only extension a stored file may have.
IMAGE_FORMAT_EXTENSIONS = {
    "JPEG": ".jpg",
    "MPO": ".jpg",
    "PNG": ".png",
    "GIF": ".gif",
    "WEBP": ".webp",
}
FORMAT_MESSAGE = "This file is not a JPEG, PNG, GIF or WebP image. Please upload one of those."


def image_extension(content):
    """Return the extension of the image format content decodes as, or None."""
    try:
        content.seek(0)
        with Image.open(content) as image:
            return IMAGE_FORMAT_EXTENSIONS.get(image.format)
    except Exception:  # not an image, truncated, a decompression bomb…
        return None
    finally:
        content.seek(0)


def validate_image_format(upload):
    """Refuse a new upload that Pillow does not decode as JPEG, PNG, GIF or WebP."""
    if upload and not getattr(upload, "_committed", True) and image_extension(upload.file) is None:
        raise ValidationError(FORMAT_MESSAGE, code="invalid_image_format")


IMAGE_VALIDATORS = [validate_image_extension, validate_image_size, validate_image_format]


class GeneratedNameImageFieldFile(ImageFieldFile):
    """Store each upload as <random>.<extension of its decoded format>, never its own name.

    A name like "shell.php.jpg" then never reaches the media folder, whatever a web
    server in front makes of double extensions.
    """

    def save(self, name, content, save=True):
        extension = image_extension(content)
        if extension is None:
            raise ValidationError(FORMAT_MESSAGE, code="invalid_image_format")
        super().save(f"{uuid.uuid4().hex}{extension}", content, save)


class GeneratedNameImageField(models.ImageField):
    """An ImageField whose files are stored under generated names (see above)."""

    attr_class = GeneratedNameImageFieldFile


SVG_MESSAGE = (
    "SVG images are not accepted because they can carry scripts. "
    "Upload a JPEG, PNG, GIF or WebP image."
)


class SafeImageField(forms.ImageField):
    """An image upload that refuses SVG files and files over 5 MB before decoding them."""

    def to_python(self, data):
        if data is not None and hasattr(data, "name"):
            extension = os.path.splitext(data.name or "")[1].lower()
            content_type = getattr(data, "content_type", "") or ""
            if extension in {".svg", ".svgz"} or "svg" in content_type:
                raise ValidationError(SVG_MESSAGE, code="svg")
            validate_image_size(data)
        return super().to_python(data)

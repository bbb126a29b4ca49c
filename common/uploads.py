"""Uploaded images: a real raster image, 5 MB at most, never SVG."""

import os

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator

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


IMAGE_VALIDATORS = [validate_image_extension, validate_image_size]

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

"""Validators for uploaded images: a real raster image, 5 MB at most."""

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

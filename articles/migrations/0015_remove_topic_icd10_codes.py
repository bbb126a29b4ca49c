from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("articles", "0014_copy_icd10_codes")]

    operations = [migrations.RemoveField(model_name="topic", name="icd10_codes")]

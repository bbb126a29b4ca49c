"""Topic codes as rows (ICD-10-CM, SNOMED CT); 0010 copies the old comma-separated field."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0012_ascii_slugs'),
    ]

    operations = [
        migrations.CreateModel(
            name='TopicCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('system', models.CharField(choices=[('2.16.840.1.113883.6.90', 'ICD-10-CM'), ('2.16.840.1.113883.6.96', 'SNOMED CT')], default='2.16.840.1.113883.6.90', max_length=40, verbose_name='code system')),
                ('code', models.CharField(help_text='As in the health record, e.g. G25.81 (ICD-10-CM) or 32914008 (SNOMED CT).', max_length=20)),
                ('display', models.CharField(blank=True, help_text='Optional: what the code means, e.g. Restless legs syndrome. Staff only.', max_length=200, verbose_name='name')),
                ('topic', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='codes', to='articles.topic')),
            ],
            options={
                'ordering': ['system', 'code'],
                'indexes': [models.Index(fields=['system', 'code'], name='topiccode_lookup_idx')],
                'constraints': [models.UniqueConstraint(fields=('topic', 'system', 'code'), name='topiccode_unique_code')],
            },
        ),
    ]

# The publish time, save counter and stored page parts of the working copy are
# replaced by releases (go-live time, release number, parts stored per release).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0006_release_one_for_published_articles"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='article',
            options={'ordering': ['-updated', '-pk'], 'permissions': [('publish_article', 'Can publish articles (create releases) and set review fields')]},
        ),
        migrations.RemoveIndex(
            model_name='article',
            name='article_visible_idx',
        ),
        migrations.RemoveField(
            model_name='article',
            name='publish_at',
        ),
        migrations.RemoveField(
            model_name='article',
            name='rendered',
        ),
        migrations.RemoveField(
            model_name='article',
            name='revision',
        ),
    ]

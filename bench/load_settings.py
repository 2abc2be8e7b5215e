"""Settings for bench/load.py's server: the production settings (every GONGXIN_* variable as in
deploy/production.env.example), with a URLconf that adds the minimal view /bench/ping."""

from gongxin.settings import *  # noqa: F403

ROOT_URLCONF = "load_urls"

"""How edge and sink connect to the MQTT broker: shared config options and client factory."""

import logging

import paho.mqtt.client as mqtt

from .config_loader import Option, port_number, positive

__all__ = ["mqtt_options", "make_client"]

log = logging.getLogger(__name__)


def mqtt_options(default_client_id: str) -> list:
    """The ``[mqtt]`` section common to edge.toml and sink.toml."""
    return [
        Option("mqtt", "host", str),
        Option("mqtt", "port", int, check=port_number),
        Option("mqtt", "client_id", str, default_client_id),
        Option("mqtt", "keepalive_s", int, 30, check=positive),
        Option("mqtt", "session_expiry_s", int, 7 * 24 * 3600, check=positive),
        Option("mqtt", "tls", bool, False),
        Option("mqtt", "ca_file", str, None),
        Option("mqtt", "username", str, None),
        Option("mqtt", "password", str, None, secret=True),
    ]


def make_client(mqtt_config: dict, client_id: str | None = None) -> mqtt.Client:
    """A paho client (MQTT 5) with the configured identity, TLS and credentials.

    The caller sets callbacks and calls ``connect_async`` + ``loop_start``; paho then
    reconnects by itself with back-off. The session persists on the broker for
    ``session_expiry_s`` so QoS 1 messages queued while a client is away are kept.
    """
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id or mqtt_config["client_id"],
        protocol=mqtt.MQTTv5,
    )
    if mqtt_config["tls"]:
        client.tls_set(ca_certs=mqtt_config["ca_file"])
    if mqtt_config["username"]:
        client.username_pw_set(mqtt_config["username"], mqtt_config["password"])
    client.reconnect_delay_set(min_delay=1, max_delay=10)
    client.max_queued_messages_set(0)
    return client


def connect_properties(mqtt_config: dict):
    """CONNECT properties asking the broker to keep our session for ``session_expiry_s``."""
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = mqtt_config["session_expiry_s"]
    return properties


def start(client: mqtt.Client, mqtt_config: dict) -> None:
    """Connect in the background (clean_start False: resume the persistent session)."""
    client.connect_async(
        mqtt_config["host"], mqtt_config["port"], keepalive=mqtt_config["keepalive_s"],
        clean_start=False, properties=connect_properties(mqtt_config),
    )
    client.loop_start()

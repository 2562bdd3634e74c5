"""``generate``: one labelled clip of a procedural action, in any topology.

The randomisation (speed, amplitude, style, handedness, yaw, position,
camera, noise, dropped joints) is drawn from ``seed`` and the action name
only, never from the topology, so ``generate(a, "kinect_v2", s)`` and
``generate(a, "smpl22", s)`` are the same performance seen through two
skeleton layouts. Body proportions come from ``subject`` when given, so a
benchmark can hold whole performers out of training.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from skeletonllm.errors import SkeletonDataError
from skeletonllm.sequence import SkeletonSequence

from .actions import BY_NAME, Motion
from .humanoid import JOINT_INDEX, NUM_JOINTS, Body, euler_to_matrix, forward_kinematics, yaw_matrix
from .views import to_topology

FPS = 30.0
#: longest clip ``frames`` may ask for: 5.5 minutes at 30 fps; beyond it one clip takes minutes and gigabytes
MAX_FRAMES = 10_000
#: bytes per frame of one clip while it is generated: 2 persons x 25 joints x (positions, rotations, noise, masks)
_BYTES_PER_FRAME = 2 * 25 * (3 + 9 + 3 + 1) * 8 * 4


def check_frames(frames: int | None) -> None:
    """Refuse a frame count beyond ``MAX_FRAMES`` before generating, with the memory it would take."""
    if frames is None or frames <= MAX_FRAMES:
        return
    from skeletonllm.decode_budget import human_bytes

    raise SkeletonDataError(
        f"frames {frames:,} is more than {MAX_FRAMES:,} ({frames / FPS / 60:,.0f} minutes at {FPS:g} fps; each clip "
        f"would take about {human_bytes(frames * _BYTES_PER_FRAME)} and a long time to generate)",
        field="frames",
    )


_GROUND_JOINTS = [JOINT_INDEX[n] for n in ("l_ankle", "l_foot", "r_ankle", "r_foot")]
_IDLE_JOINTS = ("spine2", "neck_upper", "l_shoulder", "r_shoulder", "l_elbow", "r_elbow")


@dataclass(frozen=True)
class Performance:
    """Everything drawn for one clip; kept in ``meta['synth']`` so a clip can be explained."""

    speed: float
    amplitude: float
    mirrored: bool
    yaw_deg: float
    position: tuple[float, float]
    camera_height: float
    camera_tilt_deg: float
    noise_m: float
    drop_rate: float
    lead_in_s: float
    lead_out_s: float
    partner_distance: float
    turn_deg: float
    drift: tuple[float, float]

    @classmethod
    def draw(cls, rng: np.random.Generator, randomize: bool) -> Performance:
        if not randomize:
            return cls(1.0, 1.0, False, 0.0, (0.0, 2.8), 0.9, 0.0, 0.0, 0.0, 0.3, 0.3, 1.0, 0.0, (0.0, 0.0))
        return cls(
            speed=float(np.exp(rng.uniform(np.log(0.5), np.log(2.0)))),
            amplitude=float(rng.uniform(0.65, 1.3)),
            mirrored=bool(rng.uniform() < 0.5),
            yaw_deg=float(rng.uniform(-90.0, 90.0)),
            position=(float(rng.uniform(-0.6, 0.6)), float(rng.uniform(2.3, 3.4))),
            camera_height=float(rng.uniform(0.6, 1.3)),
            camera_tilt_deg=float(rng.uniform(-15.0, 15.0)),
            noise_m=float(rng.uniform(0.005, 0.03)),
            drop_rate=float(rng.uniform(0.0, 0.03)),
            lead_in_s=float(rng.uniform(0.0, 1.0)),
            lead_out_s=float(rng.uniform(0.0, 1.0)),
            partner_distance=float(rng.uniform(0.85, 1.15)),
            turn_deg=float(rng.uniform(-30.0, 30.0)),
            drift=(float(rng.uniform(-0.25, 0.25)), float(rng.uniform(-0.25, 0.25))),
        )


def _mirror(m: Motion) -> Motion:
    """Swap left and right: joint names swap, rotations about y and z change sign."""
    out = Motion(frames=m.frames, lift=m.lift, repetitions=m.repetitions)
    flip = np.array([1.0, -1.0, -1.0])
    for joint, ang in m.angles.items():
        other = {"l_": "r_", "r_": "l_"}.get(joint[:2], joint[:2]) + joint[2:]
        out.add(other, ang * flip)
    if m.root_offset is not None:
        out.root_offset = m.root_offset * np.array([-1.0, 1.0, 1.0])
    if m.root_angles is not None:
        out.root_angles = m.root_angles * flip
    return out


def _idle_layer(m: Motion, clock: np.ndarray, rng: np.random.Generator) -> None:
    """Posture offsets, slow sway and the odd fidget of an arm, so no two performers move alike.

    ``clock`` runs 0 -> 1 over the whole clip (lead-in and lead-out included):
    people fidget before and after an action too.
    """
    for joint in _IDLE_JOINTS:
        base = rng.normal(0.0, 8.0, 3)
        wave = np.sin(2 * np.pi * (rng.uniform(0.3, 1.5) * clock[:, None] + rng.uniform()))
        m.add(joint, base[None] + rng.normal(0.0, 5.0, 3)[None] * wave)
    for side in ("l", "r"):
        if rng.uniform() < 0.5:  # a brief gesture: scratch, adjust clothes, shift the arm
            bump = np.exp(-0.5 * ((clock - rng.uniform()) / rng.uniform(0.08, 0.2)) ** 2)
            m.add(f"{side}_shoulder", rng.normal(0.0, 20.0, 3)[None] * bump[:, None])
            m.add(f"{side}_elbow", np.array([rng.uniform(-50.0, 0.0), 0.0, 0.0])[None] * bump[:, None])


def _pose_person(m: Motion, body: Body, facing_deg: np.ndarray, place: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """World positions ``(T, J, 3)`` (floor at y=0) and rotations ``(T, J, 3, 3)`` of one performer.

    ``facing_deg`` ``(T,)`` and ``place`` ``(T, 3)`` may change over the clip (turning, drifting).
    """
    t = m.frames
    local = np.broadcast_to(np.eye(3), (t, NUM_JOINTS, 3, 3)).copy()
    for joint, ang in m.angles.items():
        local[:, JOINT_INDEX[joint]] = euler_to_matrix(ang)
    yaw = euler_to_matrix(np.stack([np.zeros(t), facing_deg, np.zeros(t)], axis=-1))  # (T, 3, 3) about y
    root_local = euler_to_matrix(m.root_angles) if m.root_angles is not None else np.eye(3)[None]
    root_rot = yaw @ root_local
    offset = m.root_offset if m.root_offset is not None else np.zeros((t, 3))
    root_pos = place + np.einsum("tab,tb->ta", yaw, offset)
    pos, rot = forward_kinematics(local, np.broadcast_to(root_rot, (t, 3, 3)), root_pos, body.offsets())
    # Ground contact: the lowest foot joint touches the floor, plus the action's airborne lift.
    pos[..., 1] -= pos[:, _GROUND_JOINTS, 1].min(axis=1, keepdims=True)
    if m.lift is not None:
        pos[..., 1] += np.asarray(m.lift)[:, None]
    return pos, rot


def draw_clip(
    action: str, seed: int, randomize: bool = True, subject: int | None = None
) -> tuple[np.random.Generator, Performance, list[Body]]:
    """The clip's first draws: its random stream, performance and bodies (what ``generate`` starts from).

    Exposed so a clip can be described (speed, side, amplitude, repetitions)
    without generating its motion: the returned generator is positioned
    exactly where ``generate`` draws the action's style next.
    """
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, zlib.crc32(action.encode())])
    perf = Performance.draw(rng, randomize)
    body_rng = np.random.default_rng([int(subject) & 0xFFFFFFFF, 0x5B1EC7]) if subject is not None else rng
    bodies = [Body.random(body_rng) if randomize else Body() for _ in range(BY_NAME[action].persons)]
    return rng, perf, bodies


def generate(
    action: str,
    topology: str,
    seed: int,
    *,
    frames: int | None = None,
    randomize: bool = True,
    subject: int | None = None,
) -> SkeletonSequence:
    """One clip of ``action`` seen through ``topology``; see the package docstring."""
    spec = BY_NAME.get(action)
    if spec is None:
        raise SkeletonDataError(f"unknown synthetic action {action!r}; actions: {', '.join(BY_NAME)}", field="action")
    if frames is not None and frames < 2:
        raise SkeletonDataError(f"frames must be at least 2, got {frames}", field="frames")
    check_frames(frames)
    rng, perf, bodies = draw_clip(action, seed, randomize, subject)
    style_rng = rng if randomize else np.random.default_rng(0)

    duration = spec.duration / perf.speed
    total = perf.lead_in_s + duration + perf.lead_out_s
    if frames is None:
        n = max(8, int(round(total * FPS)))
        times, fps = np.arange(n) / FPS, FPS
    else:
        times, fps = np.linspace(0.0, total, frames), (frames - 1) / total
    u = np.clip((times - perf.lead_in_s) / duration, 0.0, 1.0)

    motions = spec.fn(u, perf.amplitude, style_rng)
    if spec.one_sided and perf.mirrored:
        motions = [_mirror(m) for m in motions]
    clock = times / max(total, 1e-6)
    if randomize:
        for m in motions:
            _idle_layer(m, clock, rng)

    centre = np.array([perf.position[0], 0.0, perf.position[1]])
    facing = 180.0 + perf.yaw_deg + perf.turn_deg * clock  # 180 = facing the camera; turns while acting
    drift = np.stack([perf.drift[0] * clock, np.zeros_like(clock), perf.drift[1] * clock], axis=-1)
    if spec.persons == 1:
        placements = [(facing, centre + drift)]
    else:  # two performers face each other across the centre, side-on to the camera at yaw 0
        axis = yaw_matrix(180.0 + perf.yaw_deg + 90.0) @ np.array([0.0, 0.0, 1.0])
        half = 0.5 * perf.partner_distance * axis
        still = np.full_like(clock, 180.0 + perf.yaw_deg)  # a pair does not turn: they keep facing each other
        placements = [(still + 90.0, centre - half + drift), (still - 90.0, centre + half + drift)]
    posed = [_pose_person(m, b, f, p) for m, b, (f, p) in zip(motions, bodies, placements)]
    world = np.stack([p for p, _ in posed])  # (M, T, J, 3)
    rotations = np.stack([r for _, r in posed])  # (M, T, J, 3, 3)

    noisy = world + rng.normal(0.0, perf.noise_m, world.shape) if perf.noise_m > 0 else world
    visible = rng.uniform(size=world.shape[:3]) >= perf.drop_rate
    visible[..., JOINT_INDEX["pelvis"]] = True  # trackers always report the root

    meta = {
        "action": action,
        "label": list(BY_NAME).index(action),
        "ntu_id": spec.ntu_id,
        "seed": int(seed),
        "subject": subject,
        "source": f"synthact:{action}:seed{seed}",
        "synth": perf.__dict__ | {"bodies": [b.__dict__ for b in bodies], "repetitions": motions[0].repetitions},
    }
    if topology in ("smpl22", "bvh"):  # mocap-derived layouts: no sensor noise, no dropped joints
        return to_topology(topology, world, rotations, np.ones_like(visible), centre, perf, fps, meta)
    return to_topology(topology, noisy, rotations, visible, centre, perf, fps, meta)

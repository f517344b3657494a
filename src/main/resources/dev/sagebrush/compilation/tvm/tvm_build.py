# How Sagebrush builds a Relay module with TVM 0.18: the build options and the untuned schedules' defaults. Imported by
# tvm_compile.py inside the TVM child (never the server). Everything that decides the speed of the compiled artifact
# lives here, apart from the frontends, so that it can be measured (bench/tvm) and changed in one place.
#
# Why the defaults are changed (docs/performance.md, "Neural networks through TVM"): with no tuning log, TVM picks a
# fallback schedule per operator, and on x86 four of them cost 224x224 convnets 10-30 % of their time:
#  - conv2d_NCHWc and depthwise conv (the layouts AlterOpLayout gives x86) keep up to 31 output columns of a block in
#    registers, more than the vector register file holds (32 zmm, 16 ymm): LLVM spills in the innermost loop. The
#    tile is bounded to ACC_BUDGET vectors and the kernel width unrolled.
#  - with AVX-512 they use one 16-lane channel block; two (NCHW32c), where the channel count allows, let each
#    broadcast input feed two FMAs (what TVM's tuned skylake-avx512 logs pick). A tensor gets one block, shared by
#    its producer and its consumers, so AlterOpLayout inserts no layout transform between them.
#  - global/adaptive average pooling in NCHWc reduces with the channel block as the outer loop: a strided scalar sum.
#    Putting the block innermost and vectorizing it is what TVM already does for max/avg pooling.
#  - spatial and depthwise convolutions first write a zero-padded copy of their whole input, then read it back: one
#    more pass over a tensor that is often larger than the L2 cache (a 112x112x96 activation is 4.8 MB). The padding
#    is inlined into the convolution instead (a bounds check on the input loads instead of a copy): depthwise
#    convolutions ran 30-50 % faster; spatial convolutions 2-10 % with AVX-512's two-vector blocks, but slower with
#    one-vector blocks (AVX2), which keep the copy.
#  - 3x3 stride-1 convolutions with 16+ channels on maps of 16+ 2x2 tiles run as Winograd F(2x2, 3x3) on AVX2 and
#    AVX-512 targets (tvm_winograd.py): 2.25x fewer multiplications; ResNet-18 1.4x and convnet224 1.3x faster.
# All of them change loop order, tiling and layout, or (Winograd) the order of the sums; the outputs stay within
# float rounding. ARM targets (an `llvm -mtriple=...` target without -device=arm_cpu) compile NCHW convolutions
# through the same x86 templates, with 4-lane blocks: the register bound (8 vectors, under half of NEON's registers)
# applies there too, Winograd does not. Their speed cannot be measured on this host (qemu-user); their outputs are
# verified under qemu.
import tvm
from tvm import relay, te
from tvm.autotvm.task.space import OtherOptionEntity, SplitEntity
from tvm.target.x86 import get_simd_32bit_lanes
from tvm.topi.x86 import conv2d_avx_1x1, conv2d_avx_common
from tvm.topi.x86 import depthwise_conv2d as x86_depthwise
from tvm.topi.x86 import pooling as x86_pooling
from tvm.relay.op import op as relay_op
from tvm.target import get_native_generic_func
from tvm.topi.utils import get_const_tuple

import tvm_winograd

OPT_LEVEL = 3
WINOGRAD_MIN_TILES = 16
WINOGRAD_MIN_CHANNELS = 16
MAX_BLOCK_VECTORS = 2
ACC_BUDGET = 14

_TVM_FALLBACKS = (conv2d_avx_common._fallback_schedule, conv2d_avx_1x1._fallback_schedule,
                  x86_depthwise._fallback_schedule)


def _accumulator_budget():
    """Output vectors a convolution's micro-kernel may keep in registers: about half the vector register file (32 zmm
    with AVX-512, 16 ymm/xmm otherwise), which measured best on this host for both ISAs."""
    return ACC_BUDGET if get_simd_32bit_lanes() == 16 else 8


def _largest_divisor(n, limit):
    return max(d for d in range(1, min(n, limit) + 1) if n % d == 0)


def _channel_block(channels):
    """The NCHW[x]c block of a tensor with this many channels, the same for every operator that reads or writes it
    (so AlterOpLayout inserts no layout transform between them). TVM's fallback takes one vector (16 lanes with
    AVX-512); with AVX-512, two vectors where the channels allow: the micro-kernel then reuses each broadcast input
    for two FMAs, which is what tuned x86 schedules pick, and measured faster here."""
    lanes = get_simd_32bit_lanes()
    if lanes == 16:
        for v in range(MAX_BLOCK_VECTORS, 1, -1):
            if channels % (v * lanes) == 0:
                return v * lanes
    return _largest_divisor(channels, lanes)


def _set_blocks(cfg, wkl):
    ic_bn, oc_bn = _channel_block(wkl.in_filter), _channel_block(wkl.out_filter)
    cfg["tile_ic"] = SplitEntity([wkl.in_filter // ic_bn, ic_bn])
    cfg["tile_oc"] = SplitEntity([wkl.out_filter // oc_bn, oc_bn])
    return max(1, oc_bn // get_simd_32bit_lanes())


def _bounded(tvm_fallback):
    """TVM's fallback for a spatial (or depthwise) convolution with the channel blocks above, the register tile
    bounded, and the kernel width unrolled."""
    def fallback(cfg, wkl):
        tvm_fallback(cfg, wkl)
        vectors_per_column = _set_blocks(cfg, wkl)
        out_width = cfg["tile_ow"].size[0] * cfg["tile_ow"].size[-1]
        reg_n = _largest_divisor(out_width, max(1, _accumulator_budget() // vectors_per_column))
        if reg_n >= 4 or reg_n == out_width:   # a prime width: keep TVM's choice rather than one column at a time
            cfg["tile_ow"] = SplitEntity([out_width // reg_n, reg_n])
            cfg["unroll_kw"] = OtherOptionEntity(True)
    return fallback


def _1x1_fallback(cfg, wkl):
    """The 1x1 kernel keeps an oh x ow tile in registers; TVM allows up to 31 of them. Same blocks and bound."""
    _TVM_FALLBACKS[1](cfg, wkl)
    vectors_per_column = _set_blocks(cfg, wkl)
    budget = max(1, _accumulator_budget() // vectors_per_column)
    oh, ow = cfg["tile_oh"].val, cfg["tile_ow"].size[-1]
    if oh * ow <= budget:
        return
    out_width = cfg["tile_ow"].size[0] * ow
    ow2 = _largest_divisor(out_width, budget)
    if ow2 >= 4 or ow2 == out_width:
        cfg["tile_oh"] = OtherOptionEntity(1)
        cfg["tile_ow"] = SplitEntity([out_width // ow2, ow2])


def _schedule_adaptive_pool(attrs, outs, target):
    """TVM's x86 adaptive-pool schedule with the vectorized channel block its other pooling schedules have."""
    outs = [outs] if isinstance(outs, te.tensor.Tensor) else outs
    s = te.create_schedule([x.op for x in outs])
    layout = attrs.layout
    vectorize = layout[-1] not in "DHWdhw"

    def traverse(op):
        if tvm.topi.tag.is_injective(op.tag):
            if op not in s.outputs:
                s[op].compute_inline()
            for t in op.input_tensors:
                if isinstance(t.op, te.tensor.ComputeOp):
                    traverse(t.op)
        elif op.tag.startswith("adaptive_pool"):
            if op != outs[0].op:
                out = outs[0]
                s[out].parallel(s[out].fuse(out.op.axis[0], out.op.axis[1]))
            x86_pooling._parallel_sch(s[op.output(0)], outs[0].shape, vectorize)
        else:
            raise RuntimeError("Unsupported operator: %s" % op.tag)

    with target:
        traverse(outs[0].op)
    return s


def _inline_padding(s, data):
    """Computes a convolution's zero padding inside the convolution rather than as a padded copy of its input."""
    if isinstance(s[data].op, te.tensor.ComputeOp) and "pad" in data.op.tag:
        s[data].compute_inline()


def _inline_conv_padding(ic_bn, oc_bn):
    """Whether a spatial convolution computes its padding inline. Each broadcast input value then carries a bounds
    check, paid once per oc_bn / lanes FMAs: with two-vector blocks (AVX-512) inlining measured faster (ResNet-18
    +1-2 %), with one-vector blocks slower (AVX2: ResNet-18 -6 %). An input block under 4 channels (an image's 3) is
    inlined either way: its padded copy cannot be vectorized."""
    return oc_bn >= 2 * get_simd_32bit_lanes() or ic_bn < 4


def _schedule_row_output(s, C, O, reg_n, oc_bn):
    """The fused elementwise tail (bias, activation, residual add; or the unpacking to NCHW when the convolution was
    not given an NCHWc layout) of a convolution C, row by row: C is computed one output row of a channel block at a
    time into a small buffer, which O reads back from cache."""
    if len(s[O].op.axis) == 5:
        batch, oc_chunk, oh, ow, oc_block = s[O].op.axis
    else:
        batch, oc, oh, ow = s[O].op.axis
        oc_chunk, oc_block = s[O].split(oc, factor=oc_bn)
    ow_chunk, ow_block = s[O].split(ow, factor=reg_n)
    s[O].reorder(oc_chunk, oh, ow_chunk, ow_block, oc_block)
    row = s[O].fuse(batch, oc_chunk, oh)
    s[C].compute_at(s[O], row)
    s[O].vectorize(oc_block)
    s[O].parallel(row)


def _schedule_conv(s, cfg, data_vec, kernel_vec, conv_out, last):
    """TVM's x86 NCHWc schedule for a spatial convolution (conv2d_avx_common), with the padding inlined where that
    pays (_inline_conv_padding): per output row and tile of reg_n columns, the input-channel blocks and kernel rows
    outside, the kernel width unrolled (when the config says so) around reg_n x block accumulators."""
    reg_n, unroll_kw = cfg["tile_ow"].size[-1], cfg["unroll_kw"].val
    ic_bn = get_const_tuple(data_vec.shape)[-1]
    oc_bn = cfg["tile_oc"].size[-1]
    packed = data_vec
    if isinstance(s[data_vec].op, te.tensor.ComputeOp) and "pad" in data_vec.op.tag:
        packed = data_vec.op.input_tensors[0]
        if _inline_conv_padding(ic_bn, oc_bn):
            s[data_vec].compute_inline()
        else:   # TVM's padded copy
            batch, ic_chunk, ih, _, ic_block = s[data_vec].op.axis
            s[data_vec].vectorize(ic_block)
            s[data_vec].parallel(s[data_vec].fuse(batch, ic_chunk, ih))
    if isinstance(kernel_vec.op, te.tensor.ComputeOp) and kernel_vec.name == "kernel_vec":
        # conv2d_nchw (no NCHWc layout from AlterOpLayout): data and kernel are packed at run time, as TVM does it
        batch, ic_chunk, ih, _, _ = s[packed].op.axis
        s[packed].parallel(s[packed].fuse(batch, ic_chunk, ih))
        oc_chunk, ic_chunk, oh, ow, ic_block, oc_block = s[kernel_vec].op.axis
        s[kernel_vec].reorder(oc_chunk, oh, ic_chunk, ow, ic_block, oc_block)
        if oc_bn > 1:
            s[kernel_vec].vectorize(oc_block)
        s[kernel_vec].parallel(s[kernel_vec].fuse(oc_chunk, oh))
    C, O = conv_out, last
    CC = s.cache_write(C, "global")
    batch, oc_chunk, oh, ow, oc_block = s[C].op.axis
    ow_chunk, ow_block = s[C].split(ow, factor=reg_n)
    s[C].reorder(oc_chunk, oh, ow_chunk, ow_block, oc_block)
    row = s[C].fuse(batch, oc_chunk, oh)
    s[C].vectorize(oc_block)
    if C == O:
        s[C].parallel(row)
    s[CC].compute_at(s[C], ow_chunk)
    _, oc_chunk, oh, ow, oc_block = s[CC].op.axis
    ic, kh, kw = s[CC].op.reduce_axis
    ow_chunk, ow_block = s[CC].split(ow, factor=reg_n)
    ic_chunk, ic_block = s[CC].split(ic, factor=ic_bn)
    if unroll_kw:
        s[CC].reorder(oc_chunk, oh, ow_chunk, ic_chunk, kh, ic_block, kw, ow_block, oc_block)
        s[CC].unroll(kw)
    else:
        s[CC].reorder(oc_chunk, oh, ow_chunk, ic_chunk, kh, kw, ic_block, ow_block, oc_block)
    s[CC].vectorize(oc_block)
    s[CC].unroll(ow_block)
    if C != O:
        _schedule_row_output(s, C, O, reg_n, oc_bn)
    return s


def _schedule_depthwise(s, cfg, data_vec, kernel_vec, conv_out, output):
    """TVM's x86 NCHWc depthwise schedule, with the padding inlined: per channel block and output row, tiles of
    tile_ow columns with the kernel window outside and the columns unrolled."""
    tile_ow, unroll_kw = cfg["tile_ow"].size[-1], cfg["unroll_kw"].val
    _inline_padding(s, data_vec)
    C, O = conv_out, output
    CC = s.cache_write(C, "global")
    _, ic_chunk, oh, ow, ic_block = s[C].op.axis
    ow_chunk, ow_block = s[C].split(ow, factor=tile_ow)
    s[C].reorder(ic_chunk, oh, ow_chunk, ow_block, ic_block)
    s[C].vectorize(ic_block)
    s[C].parallel(s[C].fuse(ic_chunk, oh))
    s[CC].compute_at(s[C], ow_chunk)
    _, ic_chunk, oh, ow, ic_block = s[CC].op.axis
    kh, kw = s[CC].op.reduce_axis
    s[CC].reorder(ic_chunk, oh, kh, kw, ow, ic_block)
    if unroll_kw:
        s[CC].unroll(kw)
    s[CC].vectorize(ic_block)
    s[CC].unroll(ow)
    if C != O:
        _schedule_row_output(s, C, O, tile_ow, cfg["tile_oc"].size[-1])
    return s


def _winograd_wanted(tiles, in_channels, out_channels):
    """Whether a 3x3 stride-1 convolution runs as Winograd F(2x2, 3x3) (tvm_winograd.py; AVX2 and AVX-512 targets).
    Measured on this host (docs/performance.md, "Winograd convolutions"), minimum per operator in the graph: ResNet-18's
    convolutions of 64-512 channels on 56x56 down to 7x7 maps (16 tiles) ran 1.2-1.9x faster, convnet224's 16- and
    32-channel ones 1.3x and 1.6x; with 3 input channels the transforms outweigh the saved products (190 -> 452 us).
    Below 16 tiles the transformed weights (16/9 of the original) are read for too few tiles to pay: not measured,
    kept direct."""
    return tiles >= WINOGRAD_MIN_TILES and min(in_channels, out_channels) >= WINOGRAD_MIN_CHANNELS


def install():
    """Installs the changed defaults into this process's TVM (the child compiles one model, then exits)."""
    tvm_winograd.install(_channel_block, _winograd_wanted)
    conv2d_avx_common._fallback_schedule = _bounded(_TVM_FALLBACKS[0])
    conv2d_avx_1x1._fallback_schedule = _1x1_fallback
    x86_depthwise._fallback_schedule = _bounded(_TVM_FALLBACKS[2])
    # the schedule functions, looked up by module attribute when each operator is scheduled (tuned configs too)
    conv2d_avx_common._schedule_conv_NCHWc = _schedule_conv
    x86_depthwise._schedule_depthwise_conv2d_NCHWc_impl = _schedule_depthwise
    # Relay copied the schedule table into each op's native strategy when it was imported: replace the "cpu" entry
    # there (arm_cpu targets fall back to "cpu" too; their NCHW layout is not vectorized, as before).
    for op_name in ("nn.global_avg_pool2d", "nn.adaptive_avg_pool2d"):
        compute = relay.op.get(op_name).get_attr("FTVMCompute")
        strategy = get_native_generic_func(op_name + "_strategy")
        strategy.register(relay_op._wrap_default_fstrategy(compute, _schedule_adaptive_pool, "adaptive_pool.cpu"),
                          ["cpu"], allow_override=True)


def build(mod, target, params):
    """relay.build at opt_level 3 (operator fusion, constant folding, AlterOpLayout: NCHWc on x86)."""
    with tvm.transform.PassContext(opt_level=OPT_LEVEL):
        return relay.build(mod, target=target, params=params)

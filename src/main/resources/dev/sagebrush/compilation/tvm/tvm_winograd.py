# Winograd convolution F(m x m, 3 x 3) in the NCHW[x]c layout, for TVM 0.18's x86 targets. Imported by tvm_build.py
# inside the TVM child (never the server).
#
# Why: a 3x3 stride-1 convolution is most of a ResNet's time, and TVM's x86 direct kernel and ONNX Runtime's (MLAS)
# both run it near the FMA units' peak, so neither schedule knobs nor tuning can make it much faster. Winograd's
# algorithm (Lavin & Gray, arXiv:1509.09308) computes each m x m output tile from an (m+2) x (m+2) input tile with
# (m+2)^2 multiplications per channel pair instead of 9 m^2. TVM ships it for ARM and for NHWC under the
# auto-scheduler only; on x86 with AlterOpLayout's NCHWc layout there is none, so this module adds one:
#  - AlterOpLayout: a qualifying nn.conv2d becomes nn.contrib_conv2d_winograd_without_weight_transform on the same
#    NCHW[x]c blocks the direct convolutions use (no layout transform between operators), its weights transformed
#    once at compile time (FoldConstant evaluates G g G^T and the re-layout to [a, a, CO/ob, CI, ob]);
#  - the op's "cpu" strategy: the compute below and its schedule.
# Three stages at run time: input transform V = B^T d B per tile and input channel (vectorized over the channel
# block), a batched matrix product M[e] = V[e] U[e] for each of the (m+2)^2 points e (the direct kernel's register
# tile: reg_n tiles x the output block, each broadcast input feeding the block's vectors), and the output transform
# Y = A^T M A fused with the bias, activation and residual add that follow the convolution. Where the transformed
# weights fit the L2 cache, the first two stages run per block of tile rows just before that block's outputs, so
# their intermediate tensors stay in cache too (block_rows).
# m = 2 (TILE): F(2x2, 3x3) needs 2.25x fewer multiplications than the direct convolution and its transforms only
# add, subtract and halve, so its outputs stay as close to the original as the direct kernel's. F(4x4, 3x3) (4x
# fewer) ran ResNet-18's 56x56 and 28x28 convolutions another 25 % faster but, with its larger transform
# coefficients, missed the verification's 1e-5 tolerance (3.6e-5 on a residual block with inputs in [-4, 4]).
# The transform matrices are TVM's own (winograd_util, points chosen for accuracy by Barabasz et al.), the ones its
# weight transform uses; the sums are written out without their zero terms, so no multiplication by a constant zero
# is left for LLVM to keep.
import re

import tvm
from tvm import relay, te
from tvm.target import get_native_generic_func
from tvm.target.x86 import get_simd_32bit_lanes
from tvm.topi.nn.conv2d import conv2d_alter_layout
from tvm.topi.nn.utils import get_pad_tuple
from tvm.topi.nn.winograd_util import _cook_toom_convolution, _interpolation_points
from tvm.topi.utils import get_const_tuple, traverse_inline
from tvm.topi.x86 import conv2d_alter_op as x86_alter
from tvm.relay.op.strategy import x86 as x86_strategy

TILE = 2              # m: output tile of F(m x m, 3 x 3)
LANES = (8, 16)       # AVX2 and AVX-512 (float lanes per vector): measured faster with both
OUTPUT_TAG = "conv2d_NCHWc_winograd_output"
_NCHWC = re.compile(r"^NCHW([0-9]+)c$")


def _matrices(m, r):
    """TVM's A, B (and G, used by its weight transform) for F(m, r), as float64 numpy arrays."""
    return _cook_toom_convolution(_interpolation_points(m + r - 1), m, r)


def _combination(coefficients, terms):
    """sum(c * t) over the non-zero coefficients, as a TIR expression (1 and -1 without a multiplication)."""
    total = None
    for c, t in zip(coefficients, terms):
        c = float(c)
        if c == 0.0:
            continue
        term = t if c == 1.0 else (-t if c == -1.0 else t * tvm.tir.const(c, t.dtype))
        total = term if total is None else total + term
    return total if total is not None else tvm.tir.const(0.0, terms[0].dtype)


def _select(index, values):
    """values[index] for a loop variable that the schedule unrolls (the selects then fold to one value)."""
    expr = values[-1]
    for k in range(len(values) - 2, -1, -1):
        expr = tvm.tir.Select(index == k, values[k], expr)
    return expr


def register_tile(tiles, lanes, ob):
    """Tiles per register block of the product stage, at most the direct kernel's bound (14 accumulators with 16
    lanes): the widest of the upper half that pads the tile count least (padded tiles are computed and discarded)."""
    budget = max(1, (14 if lanes == 16 else 8) // max(1, ob // lanes))
    return min(range(budget, (budget + 1) // 2 - 1, -1), key=lambda r: (tiles + r - 1) // r * r)


BLOCK_BYTES = 256 * 1024          # a block's transformed inputs and products: a quarter of a 1 MB L2 cache
WEIGHT_BYTES_BLOCKED = 1 << 20    # transformed weights up to this size stay cached from one block to the next


def block_rows(alpha, tiles_h, tiles_w, in_channels, out_channels):
    """Rows of tiles whose transformed inputs and products are computed together, just before their outputs, or 0
    for the whole map at once. Blocks keep the two intermediate tensors in cache (a 112x112 map's are 3-6 MB each)
    but read the transformed weights once per block: worth it while those stay cached (convnet224 -7 %, ResNet-18's
    56x56 and 28x28 convolutions -1 to -2 %); ResNet-18 blocked throughout, 512-channel weights included, ran 10 %
    slower."""
    if alpha * alpha * in_channels * out_channels * 4 > WEIGHT_BYTES_BLOCKED:
        return 0
    rows = max(1, BLOCK_BYTES // (alpha * alpha * tiles_w * (in_channels + out_channels) * 4))
    return rows if rows < tiles_h else 0


def compute(data, weights, padding, m, out_dtype):
    """data [N, CI/cb, H, W, cb], weights [a, a, CO/ob, CI, ob] (already transformed) -> [N, CO/ob, OH, OW, ob]."""
    n_, ci_chunks, height, width, cb = get_const_tuple(data.shape)
    alpha, _, co_chunks, in_channels, ob = get_const_tuple(weights.shape)
    r = alpha - m + 1
    pad_top, pad_left, pad_bottom, pad_right = get_pad_tuple(padding, (r, r))
    out_h, out_w = height + pad_top + pad_bottom - r + 1, width + pad_left + pad_right - r + 1
    tiles_h, tiles_w = (out_h + m - 1) // m, (out_w + m - 1) // m
    tiles = n_ * tiles_h * tiles_w
    rows_per_block = block_rows(alpha, tiles_h, tiles_w, in_channels, co_chunks * ob)
    reg_n = register_tile(rows_per_block * tiles_w if rows_per_block else tiles, get_simd_32bit_lanes(), ob)
    tiles_padded = (tiles + reg_n - 1) // reg_n * reg_n   # the product's register tile divides it; extra tiles are 0
    a_np, b_np, _ = _matrices(m, r)
    dtype = data.dtype

    def input_value(p, c_chunk, i, j, c_block):
        row_of_tiles = p // tiles_w
        n, y, x = row_of_tiles // tiles_h, (row_of_tiles % tiles_h) * m + i - pad_top, (p % tiles_w) * m + j - pad_left
        inside = tvm.tir.all(n < n_, y >= 0, y < height, x >= 0, x < width)
        return tvm.tir.if_then_else(inside, data[n, c_chunk, y, x, c_block], tvm.tir.const(0.0, dtype))

    # B^T d: rows of the tile combined (eps), per column j
    rows = te.compute((tiles_padded, ci_chunks, alpha, alpha, cb), lambda p, cc, eps, j, cbk: _select(eps, [
        _combination(b_np[:, k], [input_value(p, cc, i, j, cbk) for i in range(alpha)]) for k in range(alpha)]),
        name="winograd_rows")
    # (B^T d) B, laid out for the product: [eps, nu, tile, input channel]
    transformed = te.compute((alpha, alpha, tiles_padded, in_channels), lambda eps, nu, p, ci: _select(nu, [
        _combination(b_np[:, k], [rows[p, ci // cb, eps, j, ci % cb] for j in range(alpha)]) for k in range(alpha)]),
        name="winograd_input")
    ci = te.reduce_axis((0, in_channels), name="ci")
    product = te.compute((alpha, alpha, co_chunks, tiles_padded, ob), lambda eps, nu, oc, p, obk: te.sum(
        transformed[eps, nu, p, ci].astype(out_dtype) * weights[eps, nu, oc, ci, obk].astype(out_dtype), axis=ci),
        name="winograd_product")
    # M A: columns combined (vw), per point row eps
    columns = te.compute((co_chunks, tiles_padded, alpha, m, ob), lambda oc, p, eps, vw, obk: _select(vw, [
        _combination(a_np[:, k], [product[eps, nu, oc, p, obk] for nu in range(alpha)]) for k in range(m)]),
        name="winograd_columns")

    def output(n, oc, h, w, obk):
        p = (n * tiles_h + h // m) * tiles_w + w // m
        return _select(h % m, [
            _combination(a_np[:, k], [columns[oc, p, eps, w % m, obk] for eps in range(alpha)]) for k in range(m)])
    return te.compute((n_, co_chunks, out_h, out_w, ob), output, name="winograd_output", tag=OUTPUT_TAG,
                      attrs={"tile": m, "reg_n": reg_n, "rows_per_block": rows_per_block})


def schedule(outs):
    """The three stages in the loop order described at the top, with the elementwise tail inlined into the output
    transform; where block_rows says so, each block of tile rows is transformed and multiplied just before its
    outputs are computed."""
    outs = [outs] if isinstance(outs, te.tensor.Tensor) else outs
    s = te.create_schedule([x.op for x in outs])
    last = outs[0]

    def visit(op):
        if op.tag != OUTPUT_TAG:
            return
        y = op.output(0)
        m, reg_n = int(op.attrs["tile"]), int(op.attrs["reg_n"])
        columns = op.input_tensors[0]
        product = columns.op.input_tensors[0]
        transformed = product.op.input_tensors[0]
        rows = transformed.op.input_tensors[0]
        rows_per_block = int(op.attrs["rows_per_block"])
        blocked = rows_per_block > 0
        # input transform: per tile and input-channel block, both 1-D transforms in registers, the block vectorized
        eps, nu, p, ci = s[transformed].op.axis
        cb = get_const_tuple(rows.shape)[-1]
        ci_chunk, ci_block = s[transformed].split(ci, factor=cb)
        s[transformed].reorder(p, ci_chunk, eps, nu, ci_block)
        s[transformed].unroll(eps)
        s[transformed].unroll(nu)
        s[transformed].vectorize(ci_block)
        if not blocked:
            s[transformed].parallel(p)
        s[rows].compute_at(s[transformed], ci_chunk)
        _, _, r_eps, r_j, r_block = s[rows].op.axis
        s[rows].unroll(r_eps)
        s[rows].unroll(r_j)
        s[rows].vectorize(r_block)
        # batched product: reg_n tiles x the output block accumulate in registers over the input channels
        cached = s.cache_write(product, "global")
        eps, nu, oc, p, obk = s[product].op.axis
        p_chunk, p_tile = s[product].split(p, factor=reg_n)
        point = s[product].fuse(eps, nu)
        s[product].reorder(point, oc, p_chunk, p_tile, obk)
        s[product].vectorize(obk)
        if not blocked:
            s[product].parallel(s[product].fuse(point, oc))
        s[cached].compute_at(s[product], p_chunk)
        eps, nu, oc, p, obk = s[cached].op.axis
        (k,) = s[cached].op.reduce_axis
        s[cached].reorder(k, p, obk)
        s[cached].unroll(p)
        s[cached].vectorize(obk)
        # output transform, fused with the elementwise tail: per output tile, A^T M A with the block vectorized.
        # (Relay fuses only elementwise and broadcast operators after a convolution, so the tail has y's shape; if
        # it ever had not, y is computed on its own and the tail keeps TVM's default schedule.)
        anchor = y
        if y != last and get_const_tuple(last.shape) == get_const_tuple(y.shape):
            s[y].compute_inline()
            anchor = last
        n, oc, h, w, obk = s[anchor].op.axis
        h_tile, h_in = s[anchor].split(h, factor=m)
        w_tile, w_in = s[anchor].split(w, factor=m)
        s[anchor].unroll(h_in)
        s[anchor].unroll(w_in)
        s[anchor].vectorize(obk)
        if blocked:
            h_block, h_tile = s[anchor].split(h_tile, factor=rows_per_block)
            s[anchor].reorder(n, h_block, oc, h_tile, w_tile, h_in, w_in, obk)
            outer = s[anchor].fuse(n, h_block)
            s[anchor].parallel(outer)
            s[transformed].compute_at(s[anchor], outer)
            s[product].compute_at(s[anchor], outer)
        else:
            s[anchor].reorder(n, oc, h_tile, w_tile, h_in, w_in, obk)
            s[anchor].parallel(s[anchor].fuse(n, oc, h_tile))
        s[columns].compute_at(s[anchor], w_tile)
        _, _, c_eps, c_vw, c_block = s[columns].op.axis
        s[columns].unroll(c_eps)
        s[columns].unroll(c_vw)
        s[columns].vectorize(c_block)

    traverse_inline(s, last.op, visit)
    return s


def _strategy_compute(attrs, inputs, out_type):
    return [compute(inputs[0], inputs[1], attrs.get_int_tuple("padding"), attrs.get_int("tile_size"),
                    out_type.dtype)]


def _strategy_schedule(attrs, outs, target):
    with target:
        return schedule(outs)


def _winograd_strategy(tvm_strategy):
    def strategy(attrs, inputs, out_type, target):
        if not _NCHWC.match(attrs.data_layout):
            return tvm_strategy(attrs, inputs, out_type, target)
        result = relay.op.OpStrategy()
        result.add_implementation(_strategy_compute, _strategy_schedule, name="conv2d_NCHWc_winograd.sagebrush")
        return result
    return strategy


def qualifies(attrs, data, kernel, wanted):
    """A float32 3x3 stride-1 undilated ungrouped NCHW convolution that `wanted(tiles, in, out)` accepts, tiles being
    the number of TILE x TILE output tiles per image."""
    if attrs["data_layout"] != "NCHW" or attrs["kernel_layout"] != "OIHW" or attrs.get_int("groups") != 1:
        return False
    if data.dtype != "float32" or kernel.dtype != "float32" or len(kernel.shape) != 4:
        return False
    out_channels, in_channels, kh, kw = get_const_tuple(kernel.shape)
    if (kh, kw) != (3, 3) or attrs.get_int_tuple("strides") != (1, 1) or attrs.get_int_tuple("dilation") != (1, 1):
        return False
    _, _, height, width = get_const_tuple(data.shape)
    pad_top, pad_left, pad_bottom, pad_right = get_pad_tuple(attrs.get_int_tuple("padding"), (3, 3))
    out_h, out_w = height + pad_top + pad_bottom - 2, width + pad_left + pad_right - 2
    if out_h < 1 or out_w < 1:
        return False
    tiles = ((out_h + TILE - 1) // TILE) * ((out_w + TILE - 1) // TILE)
    return wanted(tiles, in_channels, out_channels)


def _alter(tvm_alter, channel_block, wanted):
    def alter(attrs, inputs, tinfos, out_type):
        data, kernel = tinfos
        if get_simd_32bit_lanes() not in LANES or not qualifies(attrs, data, kernel, wanted):
            return tvm_alter(attrs, inputs, tinfos, out_type)
        out_channels, in_channels, _, _ = get_const_tuple(kernel.shape)
        ic_bn, oc_bn = channel_block(in_channels), channel_block(out_channels)
        alpha = TILE + 2
        weights = relay.nn.contrib_conv2d_winograd_weight_transform(inputs[1], tile_size=TILE)   # [a, a, CO, CI]
        weights = relay.reshape(weights, (alpha, alpha, out_channels // oc_bn, oc_bn, in_channels))
        weights = relay.transpose(weights, (0, 1, 2, 4, 3))                                     # [a, a, CO/ob, CI, ob]
        new_attrs = {k: attrs[k] for k in attrs.keys()}
        new_attrs.update(tile_size=TILE, channels=out_channels, kernel_size=(3, 3),
                         data_layout="NCHW%dc" % ic_bn, out_layout="NCHW%dc" % oc_bn)
        return relay.nn.contrib_conv2d_winograd_without_weight_transform(inputs[0], weights, **new_attrs)
    return alter


def install(channel_block, wanted):
    """Routes qualifying convolutions through Winograd on x86 targets with AVX2 or AVX-512 (LANES); other targets
    (ARM's 4-lane NEON included) and other convolutions keep TVM's alter-layout and strategy."""
    conv2d_alter_layout.register("cpu", _alter(x86_alter._alter_conv2d_layout, channel_block, wanted), override=True)
    name = "conv2d_winograd_without_weight_transform_strategy"
    get_native_generic_func(name).register(
        _winograd_strategy(x86_strategy.conv2d_winograd_without_weight_transform_strategy_cpu), ["cpu"],
        allow_override=True)

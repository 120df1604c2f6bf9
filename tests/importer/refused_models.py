"""Models the hardware cannot run, one refusal each: (class, forward args, words the error must contain)."""
import torch
import torch.nn.functional as F
from torch import nn


class _Base(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1)
        self.head = nn.Conv2d(4, 2, 1)


class MaxPoolNet(_Base):
    def __init__(self):
        super().__init__()
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ConvTranspose2d(4, 4, 3, 2, 1, 1)

    def forward(self, x):
        return self.head(F.relu(self.up(self.pool(F.relu(self.conv1(x))))))


class BilinearNet(_Base):
    def forward(self, x):
        y = F.avg_pool2d(F.relu(self.conv1(x)), 2)
        return self.head(F.relu(self.conv2(F.interpolate(y, scale_factor=2, mode="bilinear"))))


class StridedNet(_Base):
    def __init__(self):
        super().__init__()
        self.down = nn.Conv2d(4, 4, 3, stride=2, padding=1)

    def forward(self, x):
        return self.head(F.relu(self.down(F.relu(self.conv1(x)))))


class SigmoidNet(_Base):
    def forward(self, x):
        return torch.sigmoid(self.head(F.relu(self.conv1(x))))


class AttentionNet(_Base):
    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(4, 1, batch_first=True)

    def forward(self, x):
        y = F.relu(self.conv1(x))
        n, c, h, w = y.shape
        seq = y.flatten(2).transpose(1, 2)
        a, _ = self.attn(seq, seq, seq)
        return self.head(a.transpose(1, 2).reshape(n, c, h, w))


class TwoInputNet(_Base):
    def forward(self, x, guide):
        return self.head(F.relu(self.conv1(x)) * guide)


class ResidualNet(_Base):
    def forward(self, x):
        y = F.relu(self.conv1(x))
        return self.head(F.relu(self.conv2(y)) + y)


class UpNoReluNet(_Base):
    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(4, 4, 3, 2, 1, 1)
        self.dec = nn.Conv2d(8, 4, 3, padding=1)

    def forward(self, x):
        e = F.relu(self.conv1(x))
        u = self.up(F.avg_pool2d(e, 2))          # no ReLU after the transposed conv
        return self.head(F.relu(self.dec(torch.cat([e, u], 1))))


class TupleNet(_Base):
    def forward(self, x):
        y = F.relu(self.conv1(x))
        return self.head(y), y


class ThreeWayCatNet(_Base):
    def __init__(self):
        super().__init__()
        self.dec = nn.Conv2d(12, 4, 3, padding=1)

    def forward(self, x):
        a = F.relu(self.conv1(x))
        b = F.relu(self.conv2(a))
        return self.head(F.relu(self.dec(torch.cat([a, b, b], 1))))


class LeakyNet(_Base):
    def forward(self, x):
        return self.head(F.leaky_relu(self.conv1(x)))


class BNAfterReluNet(_Base):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm2d(4)

    def forward(self, x):
        return self.head(self.bn(F.relu(self.conv1(x))))


class PoolImageNet(_Base):
    def forward(self, x):
        return self.head(F.relu(self.conv1(F.avg_pool2d(x, 2))))


class Kernel5Net(_Base):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 5, padding=2)

    def forward(self, x):
        return self.head(F.relu(self.conv1(x)))


class SmallUpNet(_Base):
    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(4, 4, 2, stride=2)

    def forward(self, x):
        return self.head(F.relu(self.up(F.avg_pool2d(F.relu(self.conv1(x)), 2))))


class ReluEndNet(_Base):
    def forward(self, x):
        return F.relu(self.head(F.relu(self.conv1(x))))


class SecondImageReaderNet(_Base):
    def __init__(self):
        super().__init__()
        self.other = nn.Conv2d(1, 4, 3, padding=1)
        self.mix = nn.Conv2d(8, 4, 3, padding=1)

    def forward(self, x):
        return self.head(F.relu(self.mix(torch.cat([F.relu(self.conv1(x)), F.relu(self.other(x))], 1))))


class GroupedNet(_Base):
    def __init__(self):
        super().__init__()
        self.conv2 = nn.Conv2d(4, 4, 3, padding=1, groups=2)

    def forward(self, x):
        return self.head(F.relu(self.conv2(F.relu(self.conv1(x)))))


class SliceNet(_Base):
    def forward(self, x):
        return self.head(F.relu(self.conv1(x))[:, :4])


# (class, --forward-args, the words the one-line error must hold)
REFUSED = [
    (MaxPoolNet, {}, ["node pool", "nn.MaxPool2d", "module pool", "AvgPool2d(2)"]),
    (BilinearNet, {}, ["node interpolate", "F.interpolate", "ConvTranspose2d(kernel_size=3"]),
    (StridedNet, {}, ["node down", "nn.Conv2d", "strided", "AvgPool2d(2)"]),
    (SigmoidNet, {}, ["node sigmoid", "torch.sigmoid", "after the network"]),
    (AttentionNet, {}, ["node flatten", ".flatten()", "no slicing or reshaping"]),
    (TwoInputNet, {}, ["forward argument guide", "--forward-args"]),
    (ResidualNet, {}, ["node add", "operator.add", "no additions"]),
    (UpNoReluNet, {}, ["node dec", "nn.Conv2d", "a concat holding the transposed conv at node up before any ReLU"]),
    (TupleNet, {}, ["node output", "returns 2 tensors"]),
    (ThreeWayCatNet, {}, ["node dec", "concat of 3 tensors", "at most two sources"]),
    (LeakyNet, {}, ["node leaky_relu", "F.leaky_relu", "ReLU is the activation"]),
    (BNAfterReluNet, {}, ["node bn", "nn.BatchNorm2d", "folded only directly after a Conv2d"]),
    (PoolImageNet, {}, ["node avg_pool2d", "F.avg_pool2d", "average pool of the image"]),
    (Kernel5Net, {}, ["node conv1", "kernel (5, 5)", "3x3 with padding 1"]),
    (SmallUpNet, {}, ["node up", "nn.ConvTranspose2d", "kernel (2, 2)", "output_padding=1"]),
    (ReluEndNet, {}, ["node output", "returns layer(s) head", "conv without ReLU"]),
    (SecondImageReaderNet, {}, ["node other", "second conv reads the image"]),
    (GroupedNet, {}, ["node conv2", "groups=2"]),
    (SliceNet, {}, ["node getitem", "operator.getitem", "no slicing"]),
]

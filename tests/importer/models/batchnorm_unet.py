"""Conv-BatchNorm-ReLU U-Net (a denoiser: the output has the image's channels, a 3x3 head): BatchNorm2d after
every conv and after the transposed convs, bias-free convs before the norms, non-trivial running statistics."""
import torch
from torch import nn


def conv_bn_relu(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class BNUNet(nn.Module):
    def __init__(self, channels=1, base=4, depth=2):
        super().__init__()
        self.enc = nn.ModuleList()
        c, widths = channels, []
        for i in range(depth):
            w = base * 2 ** i
            self.enc.append(nn.Sequential(conv_bn_relu(c, w), conv_bn_relu(w, w)))
            widths.append(w)
            c = w
        self.pool = nn.AvgPool2d(2)
        self.bottom = nn.Sequential(conv_bn_relu(c, 2 * c), conv_bn_relu(2 * c, 2 * c))
        c = 2 * c
        self.up = nn.ModuleList()
        self.dec = nn.ModuleList()
        for w in reversed(widths):
            self.up.append(nn.Sequential(nn.ConvTranspose2d(c, w, 3, 2, 1, 1), nn.BatchNorm2d(w), nn.ReLU()))
            self.dec.append(nn.Sequential(conv_bn_relu(2 * w, w), conv_bn_relu(w, w)))
            c = w
        self.out = nn.Conv2d(c, channels, 3, padding=1)

    def forward(self, x):
        skips = []
        for block in self.enc:
            x = block(x)
            skips.append(x)
            x = self.pool(x)
        x = self.bottom(x)
        for up, dec in zip(self.up, self.dec):
            x = dec(torch.cat([skips.pop(), up(x)], dim=1))
        return self.out(x)

    def randomise_statistics(self, seed=0):
        """Running statistics and affine parameters far from the defaults, as after training."""
        g = torch.Generator().manual_seed(seed)
        for m in self.modules():
            if isinstance(m, nn.BatchNorm2d):
                n = m.num_features
                m.running_mean.copy_(torch.randn(n, generator=g) * 0.3)
                m.running_var.copy_(torch.rand(n, generator=g) * 2 + 0.2)
                m.weight.data.copy_(torch.rand(n, generator=g) + 0.5)
                m.bias.data.copy_(torch.randn(n, generator=g) * 0.1)
